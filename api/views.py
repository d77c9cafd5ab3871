"""Personal API tokens on the profile page: make one (its secret shown on the next page, once) and
revoke one. Only the token's own member does either."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import member_required, sensitive
from incidents import audit

from .forms import TokenForm
from .models import MAX_ACTIVE, Token


@member_required
@sensitive  # a token outlives the session: a stolen session must not buy lasting read access
@never_cache  # the page holds the secret: no browser or proxy may keep it
@require_POST
def token_create(request):
    member = request.member
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the token a name (up to 80 characters), then make it again."))
        return redirect("profile")
    if member.api_tokens.active().count() >= MAX_ACTIVE:
        messages.error(request, _("You have %(n)d API tokens: revoke one you no longer use first.") % {"n": MAX_ACTIVE})
        return redirect("profile")
    token, secret = Token.issue(member, form.cleaned_data["name"])
    audit.record(member.household_id, request.user, "api.token_created", f"API token “{token.name}” made")
    # Rendered, not redirected: a message would keep the secret in the session store.
    return render(request, "api/token_created.html", {"token": token, "secret": secret})


@member_required
@require_POST
def token_revoke(request, code):
    token = get_object_or_404(Token, code=code, member=request.member)
    if token.revoke():
        audit.record(
            request.member.household_id, request.user, "api.token_revoked", f"API token “{token.name}” revoked"
        )
    messages.success(request, _("The API token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("profile")
