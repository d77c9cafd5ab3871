from django.contrib import admin

from .models import Household, Invitation, Member


class MemberInline(admin.TabularInline):
    model = Member
    fields = ["display_name", "user", "role", "time_zone"]
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["name", "require_mfa", "created_at"]
    inlines = [MemberInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "household", "role", "created_at", "accepted_at", "revoked_at"]
    readonly_fields = ["accepted_at"]
