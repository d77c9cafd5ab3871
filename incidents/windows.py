"""'I'm done signing in': a person ends their own sign-in window early, so a code that comes after it
asks again instead of counting as theirs. Opening the window is triage.open_window."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import member_required
from accounts.models import Member
from otpdash.events import household_changed

from . import audit
from .models import SignInWindow
from .triage import local_time


@transaction.atomic
def end_window(member: Member, actor) -> SignInWindow | None:
    """End the member's open windows now; the one that was open, or None if none was. Codes that came
    inside it keep their answer: only what arrives from now on is asked about again."""
    now = timezone.now()
    # Every open one: a double click on "I'm about to sign in" opens two.
    open_windows = SignInWindow.objects.select_for_update().filter(member=member, ends_at__gt=now)
    window = open_windows.order_by("-ends_at").first()
    if window is None:
        return None
    open_windows.update(ends_at=now)
    audit.record(
        member.household_id,
        actor,
        "window.closed",
        f"{member.display_name} is done signing in: the window meant to last until "
        f"{local_time(member, window.ends_at)} ended at {local_time(member, now)}",
    )
    household_changed.send(sender=Member, household_id=member.household_id)
    return window


@member_required
@require_POST
def end_sign_in_window(request):
    # Only the signed-in person's own window: the request names no window and no person.
    if end_window(request.member, request.user):
        messages.success(request, _("Sign-in window closed: Microsoft codes from now on ask you again."))
    else:
        messages.info(request, _("Your sign-in window had already ended: nothing to close."))
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("me")
