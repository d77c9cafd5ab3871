"""The Django admin: health and findings at a glance. Secrets are neither listed nor editable here."""

from django.contrib import admin

from .models import Finding, Mailbox, Sighting


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ["label", "owner", "host", "username", "state", "last_success_at", "enabled"]
    list_filter = ["state", "enabled"]
    exclude = ["secret_sealed"]
    readonly_fields = ["state", "last_success_at", "last_error", "last_error_at", "auth_failures", "examined_total",
                       "next_scan_at"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["arrived_at", "owner", "category", "status", "subject", "sender_auth", "codes_masked"]
    list_filter = ["category", "status", "sender_auth"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Sighting)
class SightingAdmin(admin.ModelAdmin):
    list_display = ["seen_at", "finding", "mailbox", "folder", "uid"]

    def has_change_permission(self, request, obj=None):
        return False
