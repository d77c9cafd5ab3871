from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = gettext_lazy("Triage and incidents")

    def ready(self):
        from msaccounts.signals import account_merged
        from scanner.signals import findings_recorded

        from .triage import fold_waves, on_findings_recorded

        findings_recorded.connect(on_findings_recorded, dispatch_uid="incidents.triage")
        account_merged.connect(fold_waves, dispatch_uid="incidents.fold_waves")
