import contextlib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context, ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter
from django.utils import translation

from otpdash import secretbox
from otpdash.client_ip import client_ip

from .access import recently_checked
from .models import Member


class HouseholdAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: the first owner is made on the setup page, everyone else
    joins by an invitation link."""

    def is_open_for_signup(self, request):
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mails (password resets) in the recipient's language, whoever's browser asked."""
        user = context.get("user")
        found = Member.objects.filter(user=user) if getattr(user, "pk", None) else Member.objects.none()
        member = found.first() or Member.objects.filter(user__email__iexact=email).first()
        with translation.override(member.language_code) if member else contextlib.nullcontext():
            super().send_mail(template_prefix, email, context)

    def get_client_ip(self, request) -> str:
        return client_ip(request)

    def _account_limits(self, request, credentials: dict) -> list[tuple[str, str]]:
        login = str(credentials.get("email") or credentials.get("username") or "").lower()
        return [("login_failed_account_ip", f"{login}|{self.get_client_ip(request)}"), ("login_failed_account", login)]

    def pre_authenticate(self, request, **credentials) -> None:
        """allauth's per-address limit, then ours per account: from this address, and from everywhere."""
        super().pre_authenticate(request, **credentials)
        for action, key in self._account_limits(request, credentials):
            if not ratelimit.consume(request, action=action, key=key):
                raise self.validation_error("too_many_login_attempts")

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            for action, key in self._account_limits(request, credentials):
                ratelimit.clear(request, action=action, key=key)
        return user

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """One rule for every sensitive page, ours and allauth's (MFA set-up, passkeys): ask for the
        password again only when the last check is older than ACCOUNT_REAUTHENTICATION_TIMEOUT.
        Out of the box allauth would ask even right after signing in."""
        request = context.request
        if request is not None and request.user.is_authenticated and recently_checked(request):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)


class HouseholdMFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are sealed with the mailbox key set (allauth's hooks)."""

    def encrypt(self, text: str) -> str:
        return secretbox.seal(text)

    def decrypt(self, encrypted_text: str) -> str:
        return secretbox.unseal(encrypted_text)
