"""Signing a mailbox in with its provider: the device-code flow (the member types a short code at the
provider's page, on any device: works for a dashboard with no public address) and the
authorization-code flow with PKCE (a redirect back here; its `state` is always checked)."""

from __future__ import annotations

from datetime import timedelta

from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from requests import RequestException

from otpdash import secretbox

from ..models import Mailbox, OAuthFlow
from . import tokens
from .providers import Provider, provider

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CODE_MINUTES = 10


class FlowError(Exception):
    pass


def _provider(name: str) -> Provider:
    p = provider(name)
    if p is None:
        raise FlowError(_("Signing in with this provider is not set up on this install (see the README)."))
    return p


def start_device(owner, name: str, label: str, address: str, mailbox=None):
    p = _provider(name)
    if not p.device_flow:
        raise FlowError(_("%(provider)s does not offer the device-code sign-in for mail.") % {"provider": p.label})
    try:
        # RFC 8628 device authorization: no token yet, so none is attached.
        response = tokens.session(p).post(
            p.device_url, data={"client_id": p.client_id, "scope": p.scope}, withhold_token=True
        )
        data = response.json()
    except (RequestException, ValueError) as exc:
        raise FlowError(_("The provider could not be reached (%(error)s).") % {"error": type(exc).__name__}) from None
    if response.status_code != 200 or "device_code" not in data:
        refused = {"error": data.get("error", response.status_code)}
        raise FlowError(_("The provider refused to start the sign-in (%(error)s).") % refused)
    return OAuthFlow.objects.create(
        owner=owner,
        provider=name,
        kind=OAuthFlow.Kind.DEVICE,
        label=label,
        address=address,
        mailbox=mailbox,
        secret_sealed=secretbox.seal(data["device_code"]),
        user_code=str(data.get("user_code", ""))[:32],
        verification_uri=str(data.get("verification_uri") or data.get("verification_url") or "")[:200],
        interval=max(1, min(int(data.get("interval", 5)), 60)),
        expires_at=timezone.now() + timedelta(seconds=int(data.get("expires_in", 900))),
    )


def poll_device(flow) -> str:
    """Ask the provider once: "pending", "done", or FlowError with why it ended."""
    if flow.finished_at:
        if flow.result == "done":
            return "done"
        raise FlowError(flow.result)
    if flow.expires_at <= timezone.now():
        _end(flow, "The code expired before it was entered. Start again.")
    p = _provider(flow.provider)
    try:
        token = tokens.session(p).fetch_token(
            p.token_url, grant_type=DEVICE_GRANT, device_code=secretbox.unseal(flow.secret_sealed)
        )
    except OAuthError as exc:
        if exc.error in ("authorization_pending", "slow_down"):
            return "pending"
        _end(flow, f"The sign-in did not complete ({exc.error}).")
    except (RequestException, ValueError) as exc:
        unreachable = _("The provider could not be reached (%(error)s); it is asked again.")
        raise FlowError(unreachable % {"error": type(exc).__name__}) from None
    save(flow, dict(token))
    return "done"


def start_code(owner, name: str, label: str, address: str, redirect_uri: str, mailbox=None):
    """The flow and the provider's URL to send the member to."""
    p = _provider(name)
    verifier = generate_token(64)
    session = tokens.session(p, redirect_uri=redirect_uri, code_challenge_method="S256")
    url, state = session.create_authorization_url(
        p.authorize_url, state=generate_token(40), code_verifier=verifier, **p.extra_authorize
    )
    flow = OAuthFlow.objects.create(
        owner=owner,
        provider=name,
        kind=OAuthFlow.Kind.CODE,
        label=label,
        address=address,
        mailbox=mailbox,
        state=state,
        secret_sealed=secretbox.seal(verifier),
        expires_at=timezone.now() + timedelta(minutes=CODE_MINUTES),
    )
    return flow, url


def finish_code(owner, response_url: str, state: str, redirect_uri: str):
    """The redirect came back: its state must name a flow this member started, unused and recent."""
    flow = OAuthFlow.objects.filter(
        owner=owner, kind=OAuthFlow.Kind.CODE, state=state or "-", finished_at__isnull=True
    ).first()
    if flow is None or not state:
        raise FlowError(_("This sign-in answer does not match a sign-in you started here (state). Start again."))
    if flow.expires_at <= timezone.now():
        _end(flow, "The sign-in took too long. Start again.")
    if not OAuthFlow.objects.filter(pk=flow.pk, finished_at__isnull=True).update(finished_at=timezone.now()):
        raise FlowError(_("This sign-in answer was already used."))
    p = _provider(flow.provider)
    session = tokens.session(p, redirect_uri=redirect_uri, code_challenge_method="S256")
    try:
        token = session.fetch_token(
            p.token_url,
            authorization_response=response_url,
            state=flow.state,
            code_verifier=secretbox.unseal(flow.secret_sealed),
        )
    except OAuthError as exc:
        _end(flow, f"The provider did not give access ({exc.error}).")
    except (RequestException, ValueError) as exc:
        _end(flow, f"The provider could not be reached ({type(exc).__name__}).")
    return save(flow, dict(token))


def _end(flow, why: str):
    OAuthFlow.objects.filter(pk=flow.pk).update(finished_at=timezone.now(), result=why[:300], secret_sealed="")
    raise FlowError(why)


@transaction.atomic
def save(flow, token: dict):
    """The tokens become the mailbox's (a new one, or the one being reconnected)."""
    if not token.get("access_token"):
        _end(flow, "The provider answered without an access token.")
    p = _provider(flow.provider)
    sealed = tokens.seal(token)
    mailbox = flow.mailbox
    if mailbox is None:
        host, port = p.imap_host, p.imap_port
        mailbox = Mailbox.objects.create(
            owner=flow.owner, label=flow.label, host=host, port=port, security=Mailbox.Security.SSL,
            username=flow.address, auth=flow.provider, secret_sealed=sealed,
        )  # fmt: skip
    else:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            secret_sealed=sealed, state=Mailbox.State.NEW, auth_failures=0, next_scan_at=None, last_error=""
        )
    OAuthFlow.objects.filter(pk=flow.pk).update(
        finished_at=timezone.now(), result="done", secret_sealed="", mailbox=mailbox
    )
    flow.mailbox = mailbox
    return mailbox
