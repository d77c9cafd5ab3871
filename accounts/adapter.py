from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter

from otpdash import secretbox

from .access import recently_checked


class HouseholdAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: the first owner is made on the setup page, everyone else
    joins by an invitation link."""

    def is_open_for_signup(self, request):
        return False

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
