"""How to reach a mailbox: what the IMAP transport's connect() needs for a linked mailbox, and the
install's outbound policy. Used by the scanner's passes and by Test connection alike."""

from __future__ import annotations

from django.conf import settings

from otpdash import outbound
from scanner.imap.connect import Account, Policy
from scanner.imap.errors import MailboxError

from .models import Mailbox
from .oauth import tokens


def account_for(mailbox: Mailbox) -> Account:
    """What connect() needs; for an OAuth2 mailbox a current access token, renewed first if it is
    about to expire (MailboxError "reconnect" when the provider withdrew access)."""
    return Account(
        host=mailbox.host,
        port=mailbox.port,
        security=mailbox.security,
        username=mailbox.username,
        secret=_oauth_token(mailbox) if mailbox.uses_oauth else mailbox.get_secret(),
        ca_pem=mailbox.ca_certificate,
        timeout=settings.IMAP_TIMEOUT,
        oauth=mailbox.uses_oauth,
    )


def _oauth_token(mailbox: Mailbox) -> str:
    try:
        return tokens.access_token(mailbox)
    except tokens.ReconnectNeeded as exc:
        raise MailboxError("reconnect", str(exc), "Press Reconnect on the mailbox and sign in again.") from None
    except tokens.ProviderUnreachable as exc:
        raise MailboxError("token", str(exc), "It is tried again at the next scan.") from None


def policy() -> Policy:
    """The install's outbound policy (otpdash/outbound.py), and whether plain IMAP is allowed."""
    return Policy(allow_private=outbound.private_allowed(), allow_plain=settings.ALLOW_PLAIN_IMAP)
