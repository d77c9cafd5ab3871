from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = gettext_lazy("Dashboard")

    def ready(self):
        # The dashboard listens; the apps whose data it shows never import it.
        from otpdash.events import household_changed

        from .stats import on_household_changed

        household_changed.connect(on_household_changed, dispatch_uid="dashboard.figures")
