"""The Django admin, with OTP Dash's site in place of Django's default one (see admin_scope)."""

from django.contrib.admin.apps import AdminConfig


class HouseholdAdminConfig(AdminConfig):
    default_site = "otpdash.admin_scope.HouseholdAdminSite"
