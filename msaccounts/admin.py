from django.contrib import admin

from otpdash.admin_scope import ReadOnlyAdmin

from .models import Account, BreachCheck, StepMark


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    """Read-only: accounts change by the rules, merges and the checklist, each audited."""

    household_path = "member__household"
    list_display = ["address", "member", "kind", "resolved", "first_seen_at", "last_seen_at"]
    list_filter = ["resolved", "kind"]
    exclude = ["findings"]


@admin.register(StepMark)
class StepMarkAdmin(ReadOnlyAdmin):
    """The checklist's history is never overwritten, here either."""

    household_path = "account__member__household"
    list_display = ["at", "account", "step", "state", "actor_name", "on_behalf", "reason"]
    list_filter = ["step", "state"]


@admin.register(BreachCheck)
class BreachCheckAdmin(ReadOnlyAdmin):
    list_display = ["address", "household", "checked_at"]
