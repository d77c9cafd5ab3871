"""The Django admin shows each user only their own household's rows, and nothing of the server.

The install's first owner is a Django superuser; without this, /admin/ would show every household's
findings and subjects, let that owner point another household's invitations and incidents at it, and
run code through django-q's schedules. So:

- the site takes only ModelAdmins built on HouseholdScopedAdmin: what libraries register on their
  own (django-q's schedules and results, allauth's authenticators, auth's groups) is left out;
- every list, page, choice and save is limited to the households the signed-in user owns or
  administers; a superuser flag widens nothing;
- a choice of a related row is offered only when that row's model is here too, scoped the same way.
"""

from __future__ import annotations

import logging

from django.contrib import admin
from django.core.exceptions import PermissionDenied

log = logging.getLogger(__name__)


def managed_households(user) -> list[int]:
    """Household ids where this user is the owner or an admin (at most one today)."""
    from accounts.models import Member

    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Member.objects.filter(user=user, role__in=[Member.Role.OWNER, Member.Role.ADMIN]).values_list(
            "household_id", flat=True
        )
    )


class HouseholdAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        if admin_class is None or not issubclass(admin_class, HouseholdScopedAdmin):
            # A library's own admin knows nothing of households: leaving it out is the only safe choice.
            log.debug("admin: %s left out (not scoped to a household)", model_or_iterable)
            return
        super().register(model_or_iterable, admin_class, **options)

    def unregister(self, model_or_iterable):
        models = model_or_iterable if isinstance(model_or_iterable, (list, tuple)) else [model_or_iterable]
        super().unregister([model for model in models if self.is_registered(model)])

    def has_permission(self, request):
        return super().has_permission(request) and bool(managed_households(request.user))


class HouseholdScopedAdmin(admin.ModelAdmin):
    household_path = "household"  # ORM path from the model to its Household
    raw_id_fields = ()  # a raw id is a free-text way past the scoped choices

    def get_queryset(self, request):
        households = managed_households(request.user)
        return super().get_queryset(request).filter(**{f"{self.household_path}__in": households})

    def has_module_permission(self, request):
        return super().has_module_permission(request) and bool(managed_households(request.user))

    def get_autocomplete_fields(self, request):
        return ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs["queryset"] = scoped_choices(self.admin_site, db_field.related_model, request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["queryset"] = scoped_choices(self.admin_site, db_field.related_model, request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._still_ours(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._still_ours(request, form.instance)

    def _still_ours(self, request, obj) -> None:
        """Checked again after the save, inside the admin's transaction: a row that ends up outside
        the user's households (whatever the form let through) is rolled back."""
        if not self.get_queryset(request).filter(pk=obj.pk).exists():
            raise PermissionDenied("That row would belong to another household.")


def scoped_choices(site, model, request):
    """The rows of model this request may pick: those its own scoped admin shows, else none."""
    if site.is_registered(model):
        related_admin = site.get_model_admin(model)
        if isinstance(related_admin, HouseholdScopedAdmin):
            return related_admin.get_queryset(request)
    return model._default_manager.none()


class ReadOnlyAdmin(HouseholdScopedAdmin):
    """Rows that change only through the app's own pages, which check roles and write the audit log."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}  # a library's bulk actions ("mark verified") are changes too
