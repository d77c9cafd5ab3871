"""The one module that talks to Apprise: reading a channel URL, masking it, and delivering to it."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import apprise


class ChannelUrlError(ValueError):
    pass


def shown(url: str) -> str:
    """The URL as it may be shown: Apprise's privacy form, secrets masked. Raises ChannelUrlError for a
    URL Apprise cannot read."""
    url = (url or "").strip()
    plugin = apprise.Apprise.instantiate(url) if url else None
    if plugin is None:
        raise ChannelUrlError(
            "Apprise cannot read this URL: check it against the service's page in Apprise's documentation "
            "(e.g. ntfy://ntfy.sh/your-topic, tgram://bottoken/ChatID, mailto://user:pass@example.com)."
        )
    return plugin.url(privacy=True)


def deliver(url: str, title: str, body: str) -> tuple[bool, str]:
    """(delivered, what went wrong in Apprise's words)."""
    notifier = apprise.Apprise()
    if not notifier.add(url):
        return False, "Apprise cannot read this channel's URL any more."
    with apprise.LogCapture(level=logging.WARNING) as captured:
        ok = notifier.notify(title=title, body=body)
        log = captured.getvalue() if hasattr(captured, "getvalue") else ""
    lines = [line.strip() for line in str(log).splitlines() if line.strip()]
    error = "" if ok else (lines[-1] if lines else "the service did not accept the message")
    return bool(ok), scrub(error, url)[:300]


def scrub(text: str, url: str) -> str:
    """An error as it may be stored and shown: the channel URL's parts that can be secrets (user,
    password, token-like path segments and query values) masked, whatever a plugin put in its log."""
    parts = urlsplit(url)
    # Tokens sit anywhere: in the user or password, as the "host" (Telegram's bot token), in the path.
    host_parts = parts.netloc.replace("@", ":").split(":")
    pieces = {url, parts.netloc, *host_parts, *parts.path.split("/"), *parts.query.split("&")}
    pieces |= {value for piece in list(pieces) if "=" in piece for value in [piece.split("=", 1)[1]]}
    for piece in sorted((p for p in pieces if len(p) >= 6), key=len, reverse=True):
        text = text.replace(piece, "****")
    return text
