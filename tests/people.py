"""Households and signed-in clients for tests."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model


def join(household, username: str, role: str = "member", password: str | None = None, staff: bool = False, **profile):
    """A user in `household` with `role`; returns the user. staff: the install's owner, as set-up makes them."""
    from accounts.models import Member

    user = get_user_model().objects.create_user(
        username,
        email=f"{username}@example.org",
        password=password or f"{username} has a long password 9",
        is_staff=staff,
        is_superuser=staff,
    )
    Member.objects.create(
        user=user, household=household, role=role, display_name=username.capitalize(), addresses=[user.email], **profile
    )
    return user


def sign_in(client, user, checked_ago: float = 0):
    """Signed in as allauth records it: the password was checked `checked_ago` seconds ago."""
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [{"method": "password", "at": time.time() - checked_ago}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


def never_quiet(user) -> None:
    """No quiet hours, so a test whose codes arrive at the wall clock's time gives the same result at 3 a.m."""
    from accounts.models import Member

    Member.objects.filter(user=user).update(quiet_start="12:00", quiet_end="12:00")
