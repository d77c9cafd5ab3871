"""The Django admin shows each user only their own household's rows.

The install's first owner is a Django superuser; without this, /admin/ would show every household's
findings and subjects and would let that owner point another household's mailbox at a server of
their choosing. Every household-owned model's admin uses HouseholdScopedAdmin with the path from
the model to its household.
"""

from __future__ import annotations

from django.contrib import admin


def managed_households(user) -> list[int]:
    """Household ids where this user is the owner or an admin (at most one today)."""
    from accounts.models import Member

    return list(
        Member.objects.filter(user=user, role__in=[Member.Role.OWNER, Member.Role.ADMIN]).values_list(
            "household_id", flat=True
        )
    )


class HouseholdScopedAdmin(admin.ModelAdmin):
    household_path = "household"  # ORM path from the model to its Household

    def get_queryset(self, request):
        households = managed_households(request.user)
        return super().get_queryset(request).filter(**{f"{self.household_path}__in": households})

    def has_module_permission(self, request):
        return super().has_module_permission(request) and bool(managed_households(request.user))


class ReadOnlyAdmin(HouseholdScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
