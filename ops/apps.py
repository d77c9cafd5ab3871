from django.apps import AppConfig
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = gettext_lazy("Operations")

    def ready(self):
        from django_q.models import Schedule

        from .schedules import refuse_foreign_schedule

        pre_save.connect(refuse_foreign_schedule, sender=Schedule, dispatch_uid="ops.schedules")
