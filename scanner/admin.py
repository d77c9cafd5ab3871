"""The Django admin: health and findings of the admin's own household at a glance. Secrets are
neither listed nor editable, and where a mailbox connects is changed only by its owner, on the
mailbox page, with the password typed again."""

from django.contrib import admin

from otpdash.admin_scope import HouseholdScopedAdmin, ReadOnlyAdmin

from .models import Finding, Mailbox, Sighting

MAILBOX_HOUSEHOLD = "owner__member__household"


@admin.register(Mailbox)
class MailboxAdmin(HouseholdScopedAdmin):
    household_path = MAILBOX_HOUSEHOLD
    list_display = ["label", "owner", "host", "username", "state", "last_success_at", "enabled"]
    list_filter = ["state", "enabled"]
    fields = ["owner", "label", "host", "port", "security", "username", "folders", "enabled", "poll_minutes",
              "backfill_days", "state", "last_success_at", "last_error", "last_error_at", "auth_failures",
              "examined_total", "next_scan_at"]  # fmt: skip
    readonly_fields = ["owner", "host", "port", "security", "username", "state", "last_success_at", "last_error",
                       "last_error_at", "auth_failures", "examined_total", "next_scan_at"]  # fmt: skip

    def has_add_permission(self, request):
        return False  # a mailbox is linked by its owner, whose password it holds


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    household_path = MAILBOX_HOUSEHOLD
    list_display = ["arrived_at", "owner", "category", "status", "subject", "sender_auth", "codes_masked"]
    list_filter = ["category", "status", "sender_auth"]


@admin.register(Sighting)
class SightingAdmin(ReadOnlyAdmin):
    household_path = "finding__owner__member__household"
    list_display = ["seen_at", "finding", "mailbox", "folder", "uid"]
