from django.contrib import admin

from otpdash.admin_scope import HouseholdScopedAdmin

from .models import AuditEvent, Incident


@admin.register(Incident)
class IncidentAdmin(HouseholdScopedAdmin):
    list_display = ["last_seen_at", "household", "kind", "member", "severity", "state", "assignee"]
    list_filter = ["state", "kind", "severity"]
    raw_id_fields = ["member", "assignee", "account"]
    exclude = ["findings"]


@admin.register(AuditEvent)
class AuditEventAdmin(HouseholdScopedAdmin):
    """The audit log is read-only, here too."""

    list_display = ["at", "household", "actor_name", "action", "summary"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
