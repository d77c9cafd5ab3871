"""Who received the mail: the receiving organisation's names, so that its own hops between hosts
under different domains (iCloud's me.com and icloud.com, Yahoo's yahoo.com and aol.com) are read
as one organisation, never as a border.

The table is data about providers, like domains.py is about Microsoft; the scanner adds what it
knows of each mailbox (its IMAP host's domain) as a `Receiver`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .domains import registrable

# Registrable domains each big provider receives, relays and writes verdicts under. Each group is
# one organisation's own hosts, as seen in its public headers (receiving-servers.md).
ORGANISATIONS: tuple[frozenset[str], ...] = tuple(
    frozenset(group)
    for group in (
        {"google.com", "gmail.com", "googlemail.com"},
        {"outlook.com", "hotmail.com", "live.com", "office365.com", "microsoft.com"},
        {"messagingengine.com", "fastmail.com", "fastmail.fm"},
        {"icloud.com", "me.com", "mac.com", "apple.com"},
        {"yahoo.com", "yahoodns.net", "yahoo.net", "aol.com", "aol.net"},
        {"protonmail.ch", "protonmail.com", "proton.me", "pm.me"},
        {"posteo.de", "posteo.net", "posteo.name"},
        {"gmx.net", "gmx.de", "gmx.com", "web.de", "1and1.com", "ui-portal.de"},
        {"zoho.com", "zohomail.com", "zoho.eu", "zohomail.eu"},
        {"mailbox.org", "heinlein-support.de"},
    )
)
_GROUP_OF = {domain: group for group in ORGANISATIONS for domain in group}


@dataclass(frozen=True)
class Receiver:
    """What the mailbox's side knows of its receiving organisation: its registrable domains."""

    names: frozenset[str] = frozenset()

    @classmethod
    def for_host(cls, host: str) -> Receiver:
        """The organisation behind a mailbox's IMAP host: its provider's group, or its own domain."""
        org = registrable(host) if "." in (host or "") else ""
        if not org or _is_address(host):
            return cls()
        return cls(_GROUP_OF.get(org, frozenset({org})))


def same_organisation(a: str | None, b: str | None, receiver: Receiver | None = None) -> bool:
    """Whether two registrable domains belong to one organisation."""
    if not a or not b:
        return False
    if a == b:
        return True
    if receiver is not None and a in receiver.names and b in receiver.names:
        return True
    group = _GROUP_OF.get(a)
    return group is not None and b in group


def _is_address(host: str) -> bool:
    return host.replace(".", "").isdigit() or ":" in host
