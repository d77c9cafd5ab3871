"""A household that requires two-step sign-in sends a member without it to set it up first."""

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .access import current_member

# Sign-in, MFA set-up and sign-out pages stay reachable, or nobody could comply.
_OPEN_PREFIXES = ("/accounts/", "/static/")
_SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


class MemberMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        member = current_member(request)
        request.member = member
        # Times on every page are the member's own local times.
        if member:
            timezone.activate(member.zone)
        else:
            timezone.deactivate()
        # Pages in the member's chosen language; until they choose, the browser's (LocaleMiddleware).
        if member and member.language:
            translation.activate(member.language)
            request.LANGUAGE_CODE = translation.get_language()
        if member and member.household.require_mfa and not request.path.startswith(_OPEN_PREFIXES):
            if not Authenticator.objects.filter(user=request.user, type__in=_SECOND_FACTORS).exists():
                messages.warning(
                    request,
                    _(
                        "Your household requires two-step sign-in: "
                        "set up an authenticator app or a passkey to continue."
                    ),
                )
                return redirect("mfa_index")
        return self.get_response(request)
