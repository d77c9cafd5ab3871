"""One outbound-network policy for every connection made on a member's word: their mailbox's IMAP
server and their alert channels (Apprise). With several households on one install, a member must
not reach the server's own network: loopback, private, link-local, shared (CGNAT) and multicast
addresses are refused unless the install allows them (OTPDASH_ALLOW_PRIVATE_HOSTS; by default
only while one household uses the install, whose network it is anyway).

Third-party code (Apprise's plugins, requests, smtplib) resolves names itself, so the check sits
where every one of them resolves: socket.getaddrinfo. Inside `guarded()`, each answer is checked
and only the approved addresses are returned, so the address checked is the address connected to,
for every redirect and every name an integer or bracketed form hides ("2130706433", "[::1]").
The wrapper is installed once and does nothing outside `guarded()`; Apprise copies the context
into its worker threads, so the policy follows its calls there.
"""

from __future__ import annotations

import contextvars
import ipaddress
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings

REFUSED = "is on a private or local network, which this installation refuses"
ALLOW_HINT = "The administrator can allow it with OTPDASH_ALLOW_PRIVATE_HOSTS=true."


def is_public(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    ip = ipaddress.ip_address(str(address).split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:  # ::ffff:127.0.0.1 is 127.0.0.1
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def private_allowed() -> bool:
    """Private and local servers are allowed by default only while one household uses this install:
    with several, a member could otherwise reach the other households' network."""
    allowed = settings.ALLOW_PRIVATE_HOSTS
    if allowed is None:
        from accounts.models import Household

        allowed = Household.objects.count() <= 1
    return allowed


@dataclass
class _Guard:
    allow_private: bool
    refused: list[str] = field(default_factory=list)  # names refused inside this guard


_guard: contextvars.ContextVar[_Guard | None] = contextvars.ContextVar("otpdash_outbound_guard", default=None)
_real_getaddrinfo = socket.getaddrinfo


def _checked_getaddrinfo(host, port, *args, **kwargs):
    answers = _real_getaddrinfo(host, port, *args, **kwargs)
    guard = _guard.get()
    if guard is None or guard.allow_private:
        return answers
    approved = [answer for answer in answers if is_public(answer[4][0])]
    if not approved:
        guard.refused.append(str(host))
        raise socket.gaierror(socket.EAI_NONAME, f"{host} {REFUSED}")
    return approved


@contextmanager
def guarded(allow_private: bool | None = None):
    """Every name looked up inside is held to the policy. Yields the guard; its `refused` lists the
    names that were refused, so a caller can say why a delivery failed."""
    if socket.getaddrinfo is not _checked_getaddrinfo:
        socket.getaddrinfo = _checked_getaddrinfo
    guard = _Guard(private_allowed() if allow_private is None else allow_private)
    token = _guard.set(guard)
    try:
        yield guard
    finally:
        _guard.reset(token)
