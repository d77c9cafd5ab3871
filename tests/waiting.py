"""Waiting for something another process does: a predicate polled until it holds or time runs out."""

from __future__ import annotations

import socket
import time


def wait_for(predicate, seconds: float, what: str, details=lambda: "", interval: float = 0.3):
    """predicate()'s first true result. A connection error counts as "not yet" (a server starting).
    On timeout, fails naming what was awaited, with details() (logs, say) to show why."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except OSError:
            pass
        time.sleep(interval)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}\n{details()}".rstrip())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
