"""The Django admin: health of the admin's own household's mailboxes at a glance. Secrets are
neither listed nor editable, and where a mailbox connects is changed only by its owner, on the
mailbox page, with the password typed again."""

from django.contrib import admin

from otpdash.admin_scope import HouseholdScopedAdmin

from .models import Mailbox


@admin.register(Mailbox)
class MailboxAdmin(HouseholdScopedAdmin):
    household_path = "owner__member__household"
    list_display = ["label", "owner", "host", "username", "state", "last_success_at", "enabled"]
    list_filter = ["state", "enabled"]
    fields = ["owner", "label", "host", "port", "security", "username", "folders", "enabled", "poll_minutes",
              "backfill_days", "state", "last_success_at", "last_error", "last_error_at", "auth_failures",
              "examined_total", "next_scan_at"]  # fmt: skip
    readonly_fields = ["owner", "host", "port", "security", "username", "state", "last_success_at", "last_error",
                       "last_error_at", "auth_failures", "examined_total", "next_scan_at"]  # fmt: skip

    def has_add_permission(self, request):
        return False  # a mailbox is linked by its owner, whose password it holds
