"""DKIM and ARC public keys from DNS, for the detector's own signature checks.

The resolvers are OTPDASH_DNS_RESOLVERS: "system" (the machine's own), "off" (no checks of our own:
the receiver's verdict alone decides), or addresses, "host" or "host:port", comma-separated. Keys
are cached per name: every mail of one sender is signed with the same few keys. A lookup that
fails answers None and is cached briefly, so a DNS outage costs one short wait per key, not one per
mail; to the detector a missing key is no evidence, never a failed check.
"""

from __future__ import annotations

import logging
import threading
import time

import dns.exception
import dns.nameserver
import dns.rdatatype
import dns.resolver
from django.conf import settings

log = logging.getLogger(__name__)
_FOUND_SECONDS = 3600
_MISSING_SECONDS = 300
_LOOKUP_SECONDS = 3.0
_MAX_NAMES = 2000


class KeyCache:
    """dkimpy's dnsfunc(name, timeout=...) -> the TXT record's bytes, or None."""

    def __init__(self, resolver: dns.resolver.Resolver, clock=time.monotonic):
        self._resolver = resolver
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[bytes, tuple[float, bytes | None]] = {}

    def __call__(self, name: bytes | str, timeout: float = _LOOKUP_SECONDS) -> bytes | None:
        key = name.encode("ascii", "replace") if isinstance(name, str) else bytes(name)
        now = self._clock()
        with self._lock:
            cached = self._keys.get(key)
            if cached and cached[0] > now:
                return cached[1]
        record = self._fetch(key.decode("ascii", "replace"), min(timeout, _LOOKUP_SECONDS))
        with self._lock:
            if len(self._keys) >= _MAX_NAMES:
                self._keys.clear()
            self._keys[key] = (now + (_FOUND_SECONDS if record else _MISSING_SECONDS), record)
        return record

    def _fetch(self, name: str, timeout: float) -> bytes | None:
        try:
            answer = self._resolver.resolve(name, dns.rdatatype.TXT, lifetime=timeout, search=False)
        except (dns.exception.DNSException, OSError, ValueError):
            return None  # no such key, a timeout, a refused query: no evidence either way
        for record in answer:
            return b"".join(record.strings)
        return None


def resolver_for(value) -> dns.resolver.Resolver | None:
    """The resolver settings.DNS_RESOLVERS names (otpdash.env.dns_resolvers); None for "off"."""
    if value == "off":
        return None
    if value == "system":
        try:
            return dns.resolver.Resolver()
        except dns.exception.DNSException as exc:  # no /etc/resolv.conf (a bare container)
            log.warning("this machine names no DNS resolver (%s): OTP Dash checks no signatures itself", exc)
            return None
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [dns.nameserver.Do53Nameserver(host, port) for host, port in value]
    return resolver


_caches: dict[str, KeyCache | None] = {}
_caches_lock = threading.Lock()


def dkim_keys() -> KeyCache | None:
    """The process's key cache for the configured resolvers (None when checks are off)."""
    value = settings.DNS_RESOLVERS
    name = repr(value)
    with _caches_lock:
        if name not in _caches:
            resolver = resolver_for(value)
            _caches[name] = KeyCache(resolver) if resolver is not None else None
        return _caches[name]
