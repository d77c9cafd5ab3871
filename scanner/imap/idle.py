"""Wait on IMAP IDLE for new mail in the selected folder, waking regularly to check for a stop."""

from __future__ import annotations

import threading
import time

from imapclient import IMAPClient

from .errors import MailboxError

# RFC 2177: clients should re-issue IDLE at least every 29 minutes; servers may drop it at 30.
RENEW_AFTER = 25 * 60


def wait_for_news(
    client: IMAPClient, stop: threading.Event, renew_after: float = RENEW_AFTER, tick: float = 1.0
) -> bool:
    """IDLE until the server reports new mail (True), or renew_after passes or stop is set (False).
    A connection the server closed raises MailboxError, so the caller reconnects."""
    client.idle()
    news = _wait(client, stop, renew_after, tick)  # on a dead connection, IDLE cannot be ended politely
    client.idle_done()
    return news


def _wait(client: IMAPClient, stop: threading.Event, renew_after: float, tick: float) -> bool:
    deadline = time.monotonic() + renew_after
    empty_wakeups = 0
    while not stop.is_set() and time.monotonic() < deadline:
        started = time.monotonic()
        responses = client.idle_check(timeout=tick)
        for response in responses:
            if response and response[0] == b"BYE":
                raise _closed()
            if len(response) > 1 and response[1] in (b"EXISTS", b"RECENT"):
                return True
        # imapclient hides end-of-file: the socket polls readable and yields no line, at once, forever.
        if not responses and time.monotonic() - started < tick / 2:
            empty_wakeups += 1
            if empty_wakeups >= 3:
                raise _closed()
        else:
            empty_wakeups = 0
    return False


def _closed() -> MailboxError:
    return MailboxError("read", "The server closed the connection.", "Reconnecting.")
