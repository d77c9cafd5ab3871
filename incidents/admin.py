from django.contrib import admin

from otpdash.admin_scope import ReadOnlyAdmin

from .models import AuditEvent, Incident


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    """Shown only: incidents open from findings and are reviewed on the dashboard, where each step
    is audited. One written here would put any text on a household's dashboard."""

    list_display = ["last_seen_at", "household", "kind", "member", "severity", "state", "assignee"]
    list_filter = ["state", "kind", "severity"]
    exclude = ["findings"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit log is read-only, here too."""

    list_display = ["at", "household", "actor_name", "action", "summary"]
    list_filter = ["action"]
