"""A fixed-window count per key in the shared cache (the database's, or Redis when set), for actions
that make the server do work elsewhere on a member's click."""

from __future__ import annotations

from django.core.cache import cache


def allow(key: str, limit: int, window_seconds: int) -> bool:
    """True while key has been used fewer than limit times in the current window; counts this use."""
    key = f"throttle:{key}"
    if cache.add(key, 1, timeout=window_seconds):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # the window ended between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return True
