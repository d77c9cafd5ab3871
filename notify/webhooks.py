"""Signed webhooks: reading a receiver's address, masking it, signing a JSON body and posting it under
the outbound-network policy. Redirects are never followed: each hop would be a new, unchecked address.

The receiver checks X-OTPDash-Signature, `sha256=` and the hex HMAC-SHA256 of "<timestamp>.<body>"
keyed with the channel's secret, and that X-OTPDash-Timestamp is recent (README: Signed webhooks)."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import threading
import time
from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from otpdash import outbound

log = logging.getLogger(__name__)

USER_AGENT = "OTP-Dash-Webhook/1"
TIMEOUT_SECONDS = 10
# Each socket step times out on its own, so a receiver trickling its answer a byte at a time would
# hold the worker for ever: the whole exchange is cut off after this.
DEADLINE_SECONDS = 30
# A receiver's answer is read only this far: what it says is never shown, only its status is used.
MAX_ANSWER_BYTES = 64 * 1024
PLAIN_HTTP = gettext_lazy(
    "Use https:// for this webhook: plain http:// goes only to a server on this install's own network, "
    "where the administrator allows it (OTPDASH_ALLOW_PRIVATE_HOSTS)."
)


class WebhookUrlError(ValueError):
    pass


def _parts(url: str):
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise WebhookUrlError(_("A webhook address starts with https://, e.g. https://hooks.example.org/otpdash."))
    if parts.username or parts.password:
        raise WebhookUrlError(
            _("Leave the user name and password out of the webhook address: the signature shows it is from OTP Dash.")
        )
    try:
        parts.port  # noqa: B018 (urlsplit checks the port only when it is read)
    except ValueError:
        raise WebhookUrlError(_("The port in this webhook address is not a number from 1 to 65535.")) from None
    return parts


def _literal(host: str):
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return None


def check(url: str) -> str:
    """The address, trimmed, if this install may send to it; WebhookUrlError says why not. A name's
    addresses are checked again at each delivery, where the connection is made."""
    parts = _parts(url)
    host = parts.hostname
    address = _literal(host)
    local = host == "localhost" or (address is not None and not outbound.is_public(address))
    if local and not outbound.private_allowed():
        refused = _("%(host)s %(refused)s.") % {"host": host, "refused": outbound.REFUSED}
        raise WebhookUrlError(f"{refused} {outbound.ALLOW_HINT}")
    if parts.scheme == "http" and address is not None and outbound.is_public(address):
        raise WebhookUrlError(PLAIN_HTTP)
    return url.strip()


def shown(url: str) -> str:
    """The address as it may be shown: its path and query can hold the receiver's own token, so only
    the scheme, host and port remain."""
    parts = _parts(url)
    rest = "/****" if parts.path.strip("/") or parts.query else "/"
    return f"{parts.scheme}://{parts.netloc}{rest}"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def deliver(url: str, secret: str, payload: dict) -> tuple[bool, str]:
    """POST one event, signed. (delivered, what went wrong, in words that give nothing of the far
    side away: its status and errors go to the server's log, with the address masked)."""
    try:
        parts = _parts(url)
    except WebhookUrlError as exc:
        return False, str(exc)
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8")
    timestamp = str(int(time.time()))
    headers = {
        "Host": parts.netloc,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-OTPDash-Event": payload["event"],
        "X-OTPDash-Delivery": payload["id"],
        "X-OTPDash-Timestamp": timestamp,
        "X-OTPDash-Signature": signature(secret, timestamp, body),
    }
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    with outbound.guarded() as guard:
        try:
            status = _post(parts, target, body, headers)
        except WebhookUrlError as exc:
            return False, str(exc)
        # ValueError: a host name the resolver cannot even encode (a label over 63 characters, say).
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if guard.refused:
                return False, _("the webhook's server %(refused)s; ask the administrator") % {
                    "refused": outbound.REFUSED
                }
            log.warning("webhook %s: %s", shown(url), type(exc).__name__)
            return False, _("the webhook's server could not be reached (the details are in the server's log)")
    if 200 <= status < 300:
        return True, ""
    # A redirect is refused too: following it would send the signed event to an address nobody checked.
    log.warning("webhook %s: answered %s", shown(url), status)
    return False, _("the webhook's server did not take the event (the details are in the server's log)")


def _post(parts, target: str, body: bytes, headers: dict) -> int:
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    else:
        # Plain http only to this network: connect to the very address checked, not to a second lookup.
        connection = http.client.HTTPConnection(_local_address(parts.hostname, port), port, timeout=TIMEOUT_SECONDS)
    cut = threading.Event()
    watchdog = threading.Timer(DEADLINE_SECONDS, _cut_off, args=(connection, cut))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(MAX_ANSWER_BYTES)
        if cut.is_set():  # what was read is incomplete: the status line alone proves nothing
            raise TimeoutError("the exchange took longer than its deadline")
        return response.status
    finally:
        watchdog.cancel()
        connection.close()


def _cut_off(connection: http.client.HTTPConnection, cut: threading.Event) -> None:
    """Ends a blocked read from another thread: shutdown wakes it, where close would not."""
    cut.set()
    sock = connection.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed


def _local_address(host: str, port: int) -> str:
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)  # held to the policy by the guard
    address = answers[0][4][0]
    if outbound.is_public(address):
        raise WebhookUrlError(PLAIN_HTTP)
    return address
