"""The one place that decides who may do what: member, admin, and a recent password check."""

from __future__ import annotations

import time
from functools import wraps

from allauth.account.decorators import reauthentication_required
from allauth.account.internal.flows.login import get_authentication_records
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .models import Member

# Any of these in the session's sign-in record counts as "the password (or a second factor) was checked".
_CHECKS = {"password", "mfa", "password_reset"}


def current_member(request) -> Member | None:
    """The signed-in user's membership with its household, one query per request."""
    if not hasattr(request, "_member"):
        user = request.user
        request._member = (
            Member.objects.select_related("household", "user").filter(user=user).first()
            if user.is_authenticated
            else None
        )
    return request._member


def member_required(view):
    """Signed in and in a household; sets request.member. A user with no household (say, one made
    with createsuperuser) gets a page that says so instead of an error."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        member = current_member(request)
        if member is None:
            return render(request, "accounts/no_household.html", status=403)
        request.member = member
        return view(request, *args, **kwargs)

    return wrapper


def admin_required(view):
    @member_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.member.is_admin:
            raise PermissionDenied("Only the household's owner and admins can do this.")
        return view(request, *args, **kwargs)

    return wrapper


def recently_checked(request) -> bool:
    records = get_authentication_records(request, request.user)
    times = [r.get("at", 0) for r in records if r.get("method") in _CHECKS]
    return bool(times) and time.time() - max(times) < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT


# Sensitive views: allauth's decorator, whose "recent enough" rule the adapter sets (see adapter.py).
# On an old check allauth shows its confirm page, then resumes this very request.
sensitive = reauthentication_required
