from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Triage and incidents"

    def ready(self):
        from scanner.signals import findings_recorded

        from .triage import on_findings_recorded

        findings_recorded.connect(on_findings_recorded, dispatch_uid="incidents.triage")
