"""The member and the mailbox a management command names, or a message saying there is none."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from mailboxes.models import Mailbox


def user_named(username: str):
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"There is no user named {username!r}.") from None


def mailbox_by_id(value) -> Mailbox:
    try:
        return Mailbox.objects.select_related("owner").get(pk=int(value))
    except (ValueError, Mailbox.DoesNotExist):
        raise CommandError(f"There is no mailbox with id {value!r}; `manage.py mailbox list` shows them.") from None
