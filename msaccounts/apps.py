from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy


def ensure_schedule(sender, **kwargs):
    """The daily breach check exists after every migrate, once."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name="check breaches",
        defaults={"func": "msaccounts.tasks.check_all", "schedule_type": Schedule.DAILY, "repeats": -1},
    )


def addresses_changed(sender, instance, **kwargs):
    """A new profile address or mailbox may be what a masked hint stands for."""
    from accounts.models import Member

    from .linking import resolve_hints

    member = instance if isinstance(instance, Member) else Member.objects.filter(user_id=instance.owner_id).first()
    if member is not None:
        resolve_hints(member)


class MsAccountsConfig(AppConfig):
    name = "msaccounts"
    verbose_name = gettext_lazy("Microsoft accounts and their remediation")

    def ready(self):
        from accounts.models import Member
        from mailboxes.models import Mailbox

        post_migrate.connect(ensure_schedule, sender=self)
        post_save.connect(addresses_changed, sender=Member, dispatch_uid="msaccounts.member_addresses")
        post_save.connect(addresses_changed, sender=Mailbox, dispatch_uid="msaccounts.mailbox_addresses")
