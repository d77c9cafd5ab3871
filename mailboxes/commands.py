"""The member and the mailbox a management command names, or a message saying there is none."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from mailboxes.models import Mailbox


def user_named(username: str):
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(_("There is no user named %(name)r.") % {"name": username}) from None


def mailbox_by_id(value) -> Mailbox:
    try:
        return Mailbox.objects.select_related("owner").get(pk=int(value))
    except (ValueError, Mailbox.DoesNotExist):
        missing = _("There is no mailbox with id %(id)r; `manage.py mailbox list` shows them.")
        raise CommandError(missing % {"id": value}) from None
