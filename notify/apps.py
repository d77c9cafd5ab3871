from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy


def ensure_schedule(sender, **kwargs):
    """Alerts waiting for the end of quiet hours and the digests are looked at every minute; waves
    that need a reminder or an escalation every five."""
    from django_q.models import Schedule

    for name, func, minutes in (
        ("send due alerts", "notify.tasks.send_due", 1),
        ("send digests", "notify.tasks.send_digests", 1),
        ("follow up waves", "notify.tasks.follow_up", 5),
    ):
        Schedule.objects.update_or_create(
            name=name, defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": minutes, "repeats": -1}
        )


class NotifyConfig(AppConfig):
    name = "notify"
    verbose_name = gettext_lazy("Alerts, digests and channels")

    def ready(self):
        from incidents.signals import code_awaits_answer, incident_changed, incident_handled
        from mailboxes.signals import mailbox_needs_reconnect
        from msaccounts.signals import step_contradicted

        from .alerts import (
            on_code_awaits_answer,
            on_incident_changed,
            on_incident_handled,
            on_mailbox_needs_reconnect,
            on_step_contradicted,
        )

        post_migrate.connect(ensure_schedule, sender=self)
        incident_changed.connect(on_incident_changed, dispatch_uid="notify.alerts")
        incident_handled.connect(on_incident_handled, dispatch_uid="notify.handled")
        mailbox_needs_reconnect.connect(on_mailbox_needs_reconnect, dispatch_uid="notify.reconnect")
        code_awaits_answer.connect(on_code_awaits_answer, dispatch_uid="notify.question")
        step_contradicted.connect(on_step_contradicted, dispatch_uid="notify.contradicted")
