"""The one module that talks to Apprise: reading a channel URL, masking it, and delivering to it."""

from __future__ import annotations

import logging

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
    return bool(ok), ("" if ok else (lines[-1] if lines else "the service did not accept the message"))[:300]
