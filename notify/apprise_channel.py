"""The one module that talks to Apprise: reading a channel URL, checking it against the install's
rules, masking it, and delivering to it under the outbound-network policy."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import apprise
from apprise.utils.parse import parse_url
from django.conf import settings
from django.utils.translation import gettext as _

from otpdash import outbound

log = logging.getLogger(__name__)

# Apprise's generic web hooks: their URL can choose the HTTP method and any headers and query.
CUSTOM_HTTP = {"json", "jsons", "form", "forms", "xml", "xmls"}
MAIL = {"mailto", "mailtos"}
REFUSED_BY_SERVICE = "the channel's service did not take the message (the details are in the server's log)"


class ChannelUrlError(ValueError):
    pass


def _plugin(url: str):
    url = (url or "").strip()
    plugin = apprise.Apprise.instantiate(url) if url else None
    if plugin is None:
        raise ChannelUrlError(
            _(
                "Apprise cannot read this URL: check it against the service's page in Apprise's documentation "
                "(e.g. ntfy://ntfy.sh/your-topic, tgram://bottoken/ChatID, discord://webhook_id/webhook_token)."
            )
        )
    return plugin


def check(url: str) -> None:
    """Raise ChannelUrlError, saying why, for a URL this install does not send to."""
    scheme = urlsplit((url or "").strip()).scheme.lower()
    if scheme in MAIL:
        raise ChannelUrlError(
            _("Alerts by email come from this install's own mail server: tick “Alerts by email” above instead.")
        )
    if scheme not in settings.CHANNEL_SCHEMES:
        allowed = ", ".join(s + "://" for s in sorted(settings.CHANNEL_SCHEMES))
        if scheme:
            refused = _(
                "This install does not send alerts to %(scheme)s:// services. It sends to %(allowed)s; "
                "the administrator can change the list (OTPDASH_CHANNEL_SCHEMES)."
            )
        else:
            refused = _(
                "This install does not send alerts to services of this kind. It sends to %(allowed)s; "
                "the administrator can change the list (OTPDASH_CHANNEL_SCHEMES)."
            )
        raise ChannelUrlError(refused % {"scheme": scheme, "allowed": allowed})
    parts = parse_url(url, verify_host=False) or {}
    chosen = [f"+{key}" for key in parts.get("qsd+") or {}] + [f"-{key}" for key in parts.get("qsd-") or {}]
    if scheme in CUSTOM_HTTP and "method" in (parts.get("qsd") or {}):
        chosen.append("method")
    if chosen and not settings.CHANNEL_CUSTOM_HTTP:
        raise ChannelUrlError(
            _(
                "This URL sets its own HTTP headers, query or method (%(chosen)s), which this "
                "install does not allow; the administrator can (OTPDASH_CHANNEL_CUSTOM_HTTP=true)."
            )
            % {"chosen": ", ".join(sorted(chosen))}
        )


def shown(url: str) -> str:
    """The URL as it may be shown: Apprise's privacy form, secrets masked. Raises ChannelUrlError for a
    URL Apprise cannot read or this install does not send to."""
    plugin = _plugin(url)
    check(url)
    return plugin.url(privacy=True)


def deliver(url: str, title: str, body: str) -> tuple[bool, str]:
    """(delivered, what went wrong, in words that give nothing of the far side away)."""
    try:
        plugin = _plugin(url)
        check(url)
    except ChannelUrlError as exc:
        return False, str(exc)
    notifier = apprise.Apprise()
    notifier.add(plugin)  # this one service: a URL string with commas would add several
    with outbound.guarded() as guard, apprise.LogCapture(level=logging.WARNING) as captured:
        ok = notifier.notify(title=title, body=body)
        captured_log = captured.getvalue() if hasattr(captured, "getvalue") else ""
    if ok:
        return True, ""
    if guard.refused:
        return False, f"the channel's server {outbound.REFUSED}; ask the administrator"
    # A status code or a refused port would tell a member what runs where; the operator reads it here.
    lines = [line.strip() for line in str(captured_log).splitlines() if line.strip()]
    log.warning("channel %s: %s", plugin.url(privacy=True), scrub(lines[-1] if lines else "no answer", url)[:300])
    return False, REFUSED_BY_SERVICE


def scrub(text: str, url: str) -> str:
    """A library's words as they may be logged: the channel URL's parts that can be secrets (user,
    password, token-like path segments and query values) masked, whatever a plugin put in its log."""
    parts = urlsplit(url)
    # Tokens sit anywhere: in the user or password, as the "host" (Telegram's bot token), in the path.
    host_parts = parts.netloc.replace("@", ":").split(":")
    pieces = {url, parts.netloc, *host_parts, *parts.path.split("/"), *parts.query.split("&")}
    pieces |= {value for piece in list(pieces) if "=" in piece for value in [piece.split("=", 1)[1]]}
    for piece in sorted((p for p in pieces if len(p) >= 6), key=len, reverse=True):
        text = text.replace(piece, "****")
    return text
