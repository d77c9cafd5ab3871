"""Who is asking: a personal token as `Authorization: Bearer <token>`, and how often it may ask."""

from __future__ import annotations

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer

from accounts.models import Member
from otpdash import throttle

from .models import Token

WINDOW_SECONDS = 60


class RateLimited(HttpError):
    def __init__(self) -> None:
        super().__init__(429, _("Too many requests with this token: wait a minute, then ask less often."))
        self.retry_after = WINDOW_SECONDS


def missing_token() -> AuthenticationError:
    return AuthenticationError(
        message=_(
            "An API token is needed: send it as “Authorization: Bearer <token>”. "
            "Make one on your profile page in OTP Dash."
        )
    )


class TokenAuth(HttpBearer):
    """The token's member, as their role is now: an admin's token reads the household, a member's their own."""

    def __call__(self, request):
        # Ninja's own answer to a missing or non-bearer header is a bare "Unauthorized".
        scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise missing_token()
        return self.authenticate(request, given)

    def authenticate(self, request, token: str) -> Member:
        found = Token.find(token.strip())
        if found is None:
            raise AuthenticationError(
                message=_("This API token is not known: check that it was copied whole, or make a new one.")
            )
        if found.revoked_at is not None:
            when = date_format(found.revoked_at, "j M Y")
            raise AuthenticationError(
                message=_("This API token was revoked on %(day)s: make a new one on your profile page.") % {"day": when}
            )
        if not found.member.user.is_active:
            raise AuthenticationError(
                message=_("The person this API token belongs to can no longer sign in, so neither can the token.")
            )
        member = found.member
        if member.household.require_mfa and not member.has_two_step():
            # As on the pages (accounts.middleware): nothing is read until two-step sign-in is set up.
            raise AuthenticationError(
                message=_("Your household requires two-step sign-in: set it up in OTP Dash, and the token works again.")
            )
        if not throttle.allow(f"api:{found.code}", settings.API_REQUESTS_PER_MINUTE, WINDOW_SECONDS):
            raise RateLimited()
        found.touch()
        request.api_token = found
        return member
