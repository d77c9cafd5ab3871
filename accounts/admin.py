from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from otpdash.admin_scope import HouseholdScopedAdmin

from .models import Household, Invitation, Member


class MemberInline(admin.TabularInline):
    model = Member
    fields = ["display_name", "user", "role", "time_zone"]
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Household)
class HouseholdAdmin(HouseholdScopedAdmin):
    household_path = "pk"
    list_display = ["name", "require_mfa", "created_at"]
    inlines = [MemberInline]

    def has_add_permission(self, request):
        return False  # `manage.py household add` makes households, with their owner


@admin.register(Invitation)
class InvitationAdmin(HouseholdScopedAdmin):
    list_display = ["email", "household", "role", "created_at", "accepted_at", "revoked_at"]
    readonly_fields = ["accepted_at"]


# People of other households stay out of sight here too: their accounts and addresses.
admin.site.unregister(get_user_model())
admin.site.unregister(EmailAddress)


@admin.register(get_user_model())
class HouseholdUserAdmin(HouseholdScopedAdmin, UserAdmin):
    household_path = "member__household"


@admin.register(EmailAddress)
class HouseholdEmailAddressAdmin(HouseholdScopedAdmin, EmailAddressAdmin):
    household_path = "user__member__household"
