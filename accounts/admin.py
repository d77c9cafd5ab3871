"""The household, its people and their addresses in the admin. Invitations, roles and addresses
change on the app's own pages (which ask for the password again and write the audit log), so here
they are shown, not edited: an admin form is a way around those checks."""

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy

from otpdash.admin_scope import HouseholdScopedAdmin, ReadOnlyAdmin

from .models import Household, Invitation, Member


class MemberInline(admin.TabularInline):
    model = Member
    fields = ["display_name", "user", "role", "time_zone"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False  # people join by invitation

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(HouseholdScopedAdmin):
    household_path = "pk"
    list_display = ["name", "require_mfa", "created_at"]
    fields = ["name", "require_mfa"]
    inlines = [MemberInline]

    def has_add_permission(self, request):
        return False  # `manage.py household add` makes households, with their owner

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "household", "role", "created_at", "accepted_at", "revoked_at"]


@admin.register(get_user_model())
class HouseholdUserAdmin(HouseholdScopedAdmin, UserAdmin):
    """Sign-in names, names and whether an account may sign in. Staff and superuser flags, groups
    and permissions are not offered: they would reach past the household."""

    household_path = "member__household"
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (gettext_lazy("Person"), {"fields": ["first_name", "last_name", "email"]}),
        (gettext_lazy("Status"), {"fields": ["is_active", "is_staff", "is_superuser", "last_login", "date_joined"]}),
    ]
    readonly_fields = ["email", "is_staff", "is_superuser", "last_login", "date_joined"]
    list_filter = ["is_active"]
    filter_horizontal = ()

    def has_add_permission(self, request):
        return False  # people join by invitation, into a household

    def has_delete_permission(self, request, obj=None):
        return False  # removing a member is done on the Household page, which cleans up after them

    def get_actions(self, request):
        return {}


@admin.register(EmailAddress)
class HouseholdEmailAddressAdmin(ReadOnlyAdmin, EmailAddressAdmin):
    """Shown only: an address verified here would receive that person's password resets."""

    household_path = "user__member__household"
