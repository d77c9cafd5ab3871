from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_schedule(sender, **kwargs):
    """The refresh of every household's Home Assistant sensors exists after every migrate, once."""
    from django_q.models import Schedule

    from .discovery import REFRESH_MINUTES

    Schedule.objects.update_or_create(
        name="refresh Home Assistant",
        defaults={
            "func": "homeassistant.tasks.refresh_all",
            "schedule_type": Schedule.MINUTES,
            "minutes": REFRESH_MINUTES,
            "repeats": -1,
        },
    )


class HomeAssistantConfig(AppConfig):
    name = "homeassistant"
    verbose_name = "Home Assistant (MQTT)"

    def ready(self):
        # We listen; the apps whose state we publish never import us.
        from incidents.signals import incident_changed, incident_handled
        from otpdash.events import household_changed

        from .tasks import on_household_changed, on_incident_changed

        post_migrate.connect(ensure_schedule, sender=self)
        household_changed.connect(on_household_changed, dispatch_uid="homeassistant.publish")
        incident_changed.connect(on_incident_changed, dispatch_uid="homeassistant.incident")
        # Acknowledged, taken, resolved; a reopened incident is caught by the next refresh.
        incident_handled.connect(on_incident_changed, dispatch_uid="homeassistant.handled")
