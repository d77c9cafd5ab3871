"""Wait on IMAP IDLE for new mail in the selected folder, waking regularly to check for a stop."""

from __future__ import annotations

import threading
import time

from imapclient import IMAPClient

# RFC 2177: clients should re-issue IDLE at least every 29 minutes; servers may drop it at 30.
RENEW_AFTER = 25 * 60


def wait_for_news(client: IMAPClient, stop: threading.Event, renew_after: float = RENEW_AFTER,
                  tick: float = 1.0) -> bool:
    """IDLE until the server reports new mail (True), or renew_after passes or stop is set (False)."""
    client.idle()
    try:
        deadline = time.monotonic() + renew_after
        while not stop.is_set() and time.monotonic() < deadline:
            for response in client.idle_check(timeout=tick):
                if len(response) > 1 and response[1] in (b"EXISTS", b"RECENT"):
                    return True
        return False
    finally:
        client.idle_done()
