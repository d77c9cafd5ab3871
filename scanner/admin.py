"""The Django admin: the findings of the admin's own household and where each was seen, to read."""

from django.contrib import admin

from otpdash.admin_scope import ReadOnlyAdmin

from .models import Finding, Sighting

OWNER_HOUSEHOLD = "owner__member__household"


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    household_path = OWNER_HOUSEHOLD
    list_display = ["arrived_at", "owner", "category", "status", "subject", "sender_auth", "codes_masked"]
    list_filter = ["category", "status", "sender_auth"]


@admin.register(Sighting)
class SightingAdmin(ReadOnlyAdmin):
    household_path = "finding__owner__member__household"
    list_display = ["seen_at", "finding", "mailbox", "folder", "uid"]
