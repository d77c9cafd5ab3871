"""A CPU-time budget for the work on one message.

Every step of detection is linear in its (capped) input, and the steps check this budget between
them, so a crafted message ends in a "could not be read" verdict instead of holding a scan.
CPU time of the calling thread is counted, not wall time: a busy machine must not turn genuine
mail into unreadable mail.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar

# Seconds of CPU one message may cost. A genuine code mail takes about a millisecond.
DEFAULT_SECONDS = 2.0

_deadline: ContextVar[float | None] = ContextVar("detect_deadline", default=None)


class BudgetExceeded(Exception):
    """The message cost more than its budget; the caller records it as unreadable."""


@contextmanager
def within(seconds: float):
    token = _deadline.set(time.thread_time() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def check() -> None:
    deadline = _deadline.get()
    if deadline is not None and time.thread_time() > deadline:
        raise BudgetExceeded
