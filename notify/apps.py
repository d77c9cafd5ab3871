from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_schedule(sender, **kwargs):
    """Alerts waiting for the end of quiet hours and the digests are looked at every minute."""
    from django_q.models import Schedule

    for name, func in (("send due alerts", "notify.tasks.send_due"), ("send digests", "notify.tasks.send_digests")):
        Schedule.objects.update_or_create(
            name=name, defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": 1, "repeats": -1}
        )


class NotifyConfig(AppConfig):
    name = "notify"
    verbose_name = "Alerts, digests and channels"

    def ready(self):
        from incidents.signals import code_awaits_answer, incident_changed
        from mailboxes.signals import mailbox_needs_reconnect

        from .alerts import on_code_awaits_answer, on_incident_changed, on_mailbox_needs_reconnect

        post_migrate.connect(ensure_schedule, sender=self)
        incident_changed.connect(on_incident_changed, dispatch_uid="notify.alerts")
        mailbox_needs_reconnect.connect(on_mailbox_needs_reconnect, dispatch_uid="notify.reconnect")
        code_awaits_answer.connect(on_code_awaits_answer, dispatch_uid="notify.question")
