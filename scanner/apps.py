from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy


def ensure_schedule(sender, **kwargs):
    """The polling schedule exists after every migrate, once, whatever was there before."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name="scan due mailboxes",
        defaults={"func": "scanner.tasks.scan_due", "schedule_type": Schedule.MINUTES, "minutes": 1, "repeats": -1},
    )


class ScannerConfig(AppConfig):
    name = "scanner"
    verbose_name = gettext_lazy("Mail scanning")

    def ready(self):
        post_migrate.connect(ensure_schedule, sender=self)
