"""A mailbox's OAuth2 tokens: sealed like every secret, refreshed before they expire, and a rotated
refresh token saved the moment it arrives (Microsoft rotates them; the old one may stop working)."""

from __future__ import annotations

import json
import time

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from requests import RequestException

from otpdash import secretbox

from ..models import Mailbox
from .providers import Provider, provider

# Refresh this long before expiry: a scan that starts with a token about to lapse would fail mid-way.
EARLY_SECONDS = 300
TIMEOUT = 20


class ReconnectNeeded(Exception):
    """The provider no longer accepts the refresh token (revoked, expired, consent withdrawn)."""


class ProviderUnreachable(Exception):
    """The provider could not be asked right now; the tokens are kept and asked again later."""


def seal(token: dict) -> str:
    keep = {k: token[k] for k in ("access_token", "refresh_token", "expires_at", "token_type") if token.get(k)}
    if "expires_at" not in keep and token.get("expires_in"):
        keep["expires_at"] = int(time.time()) + int(token["expires_in"])
    return secretbox.seal(json.dumps(keep))


def unseal(sealed: str) -> dict:
    return json.loads(secretbox.unseal(sealed))


def session(p: Provider, **kwargs) -> OAuth2Session:
    return OAuth2Session(
        client_id=p.client_id,
        client_secret=p.client_secret or None,
        token_endpoint_auth_method="client_secret_post" if p.client_secret else "none",
        scope=p.scope,
        timeout=TIMEOUT,
        **kwargs,
    )


def access_token(mailbox) -> str:
    """A valid access token for this mailbox, refreshed first when it is about to expire."""
    token = unseal(mailbox.secret_sealed)
    if token.get("expires_at", 0) - EARLY_SECONDS > time.time():
        return token["access_token"]
    p = provider(mailbox.auth)
    if p is None:
        raise ReconnectNeeded(f"OAuth2 for {mailbox.get_auth_display()} is no longer configured on this install.")
    if not token.get("refresh_token"):
        raise ReconnectNeeded("The provider gave no refresh token; sign in again.")
    try:
        fresh = session(p).refresh_token(p.token_url, refresh_token=token["refresh_token"])
    except OAuthError as exc:
        raise ReconnectNeeded(f"The provider refused to renew access ({exc.error}).") from None
    except (RequestException, ValueError) as exc:
        raise ProviderUnreachable(
            f"The provider could not be reached to renew access ({type(exc).__name__})."
        ) from None
    fresh = dict(fresh)
    fresh.setdefault("refresh_token", token["refresh_token"])  # not rotated: the old one stays valid
    sealed = seal(fresh)
    Mailbox.objects.filter(pk=mailbox.pk).update(secret_sealed=sealed)
    mailbox.secret_sealed = sealed
    return fresh["access_token"]
