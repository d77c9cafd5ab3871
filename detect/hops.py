"""Received lines read as hops: which organisation took the mail, and whether it came from outside.

The border is the first hop, from the top, where the receiving organisation took the mail from a
public address outside it. A receiver's own hops never are: from loopback, private, link-local or
shared addresses, from `localhost` or `*.internal`-style names, over LMTP, or between hosts of one
organisation (receivers.py), even when their domains differ.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache

from .domains import registrable
from .receivers import NOBODY, Receiver, same_organisation

_RECEIVED_FROM = re.compile(r"^\s*from\s+(\S{1,255})(?:\s+\(([^()]{0,300})\))?", re.I)
_RECEIVED_BY = re.compile(r"\bby\s+([a-z0-9][a-z0-9.:-]{0,252})", re.I)
_BRACKETED_IP = re.compile(r"\[(?:ipv6:)?([0-9a-f:.]{2,45})\]", re.I)
_LOCAL_PROTOCOL = re.compile(r"\bwith\s+LMTP", re.I)
# Names that only exist inside one network (RFC 6762, RFC 8375, and the de-facto ones).
_INSIDE_SUFFIXES = (".internal", ".local", ".localdomain", ".lan", ".home.arpa", ".intranet", ".localhost")


# Addresses that never cross the internet: a hop from one is inside the receiver's own network.
# (Not `not is_global`: that also takes in the documentation ranges and other reserved blocks.)
_INSIDE_NETWORKS = tuple(
    ipaddress.ip_network(block)
    for block in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.168.0.0/16", "::/128", "::1/128", "fc00::/7", "fe80::/10",
    )
)  # fmt: skip


@dataclass(frozen=True)
class Hop:
    by_org: str | None  # the registrable domain of the host that took the mail, when it names one
    source_org: str | None  # whose host handed it over, when the line says
    internal: bool  # certainly inside one organisation: never the border
    helo_only: bool = False  # source_org is the sender's own word for itself
    by_host: str | None = None  # the name the taking host wrote for itself, lower-cased
    source_host: str | None = None  # the name source_org was read from
    addressed: bool = False  # the taking host recorded the address it took the mail from


@lru_cache(maxsize=4096)
def parse_received(value: str) -> Hop:
    by = _RECEIVED_BY.search(value)
    by_host = by.group(1).rstrip(".").lower() if by else None
    by_org = _org(by_host) if by_host else None
    came_from = _RECEIVED_FROM.match(value)
    if came_from is None:
        return Hop(by_org, None, True, by_host=by_host)  # no sender recorded: a host's own step
    helo, details = came_from.group(1), came_from.group(2) or ""
    internal = _LOCAL_PROTOCOL.search(value) is not None or _from_inside(helo, details)
    source, helo_only, source_host = _source_org(helo, details)
    addressed = _recorded_address(helo, details) is not None
    return Hop(by_org, source, internal, helo_only, by_host, source_host, addressed)


def find_border(hops: list[tuple[int, Hop]], receiver: Receiver = NOBODY) -> tuple[int, str | None] | None:
    """(index, receiving organisation) of the border hop, or None when no hop came from outside. A
    hop "by" an address or an inside name belongs to the organisation of the hop above it; when
    none above names it, the receiver is unnamed (hops below the border are the sender's words).
    A mailbox's known receiver also makes a hop between two of its own hosts internal."""
    org = None
    for position, (index, hop) in enumerate(hops):
        by = hop.by_org or org
        below = hops[position + 1][1] if position + 1 < len(hops) else None
        if hop.internal or _same(hop, by) or _within(hop, by, receiver) or _relayed_inside(hop, below):
            org = by
            continue
        return index, by
    return None


def _relayed_inside(hop: Hop, below: Hop | None) -> bool:
    """A host with no domain name (a bare "by p44-mailgateway-smtp-7784") took the mail from exactly
    the host that wrote the line below: no mail exchanger the internet delivers to is named without
    a domain, and one that recorded no address it took the mail from is no internet-facing one, so
    this is a hop between the receiver's own machines (iCloud's mail gateways)."""
    if below is None or hop.addressed or not hop.by_host or "." in hop.by_host or ":" in hop.by_host:
        return False
    return hop.source_host is not None and hop.source_host == below.by_host


def _within(hop: Hop, by: str | None, receiver: Receiver) -> bool:
    """From a host the receiver named (not a HELO word) inside the mailbox's own organisation,
    to one of its hosts or an unnamed one."""
    if hop.helo_only or not receiver.owns(hop.source_org):
        return False
    return by is None or receiver.owns(by)


def _same(hop: Hop, by: str | None) -> bool:
    """Handed over within one organisation. A HELO name counts only when it is exactly the
    receiver's domain (Exchange's own hops between its servers), never through the organisation
    table: anyone may say HELO mail.icloud.com."""
    if hop.source_org is None or by is None:
        return False
    return hop.source_org == by if hop.helo_only else same_organisation(hop.source_org, by)


def _from_inside(helo: str, details: str) -> bool:
    """The address the receiver recorded is not a public one, or, with no address, the name is a
    name that only exists inside a network."""
    address = _recorded_address(helo, details)
    if address is not None:
        return _inside(address)
    words = details.split()
    name = (words[0] if words else helo).strip("[]").rstrip(".").lower()
    return name == "localhost" or name.endswith(_INSIDE_SUFFIXES)


def _recorded_address(helo: str, details: str):
    """The address the receiver saw: in brackets or first in its parentheses ("from HOST (IP)"),
    and the HELO word only when the receiver wrote nothing of its own (Yahoo: "from 127.0.0.1")."""
    bracketed = _BRACKETED_IP.search(details)
    words = details.split()
    candidate = bracketed.group(1) if bracketed else words[0] if words else helo.strip("[]")
    try:
        return ipaddress.ip_address(candidate)
    except ValueError:
        return None


def _inside(address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    address = mapped or address
    return any(address.version == net.version and address in net for net in _INSIDE_NETWORKS)


def _source_org(helo: str, details: str) -> tuple[str | None, bool, str | None]:
    """Whose host handed the mail over, and whether only its HELO name (chosen by the sender) says
    so: the reverse-DNS name when the receiver recorded one, else the HELO name (Exchange's hops
    write "from HOST (IP)"). None when nothing names it."""
    words = details.replace("[", " [").split()
    name = words[0].rstrip(".") if words else ""
    if name and name.lower() not in ("unknown", "helo", "ehlo") and not _is_ip(name.strip("[]")) and "." in name:
        return _org(name), False, name.lower()
    if name.lower() == "unknown":
        return None, False, None  # the receiver looked the address up and found no name
    helo = helo.strip("[]").rstrip(".")
    return _org(helo), True, helo.lower()


def _org(host: str) -> str | None:
    host = host.strip().strip(".").lower()
    if "." not in host or _is_ip(host.strip("[]")) or host.endswith(_INSIDE_SUFFIXES):
        return None
    return registrable(host) or None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False
