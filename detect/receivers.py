"""Who received the mail: the receiving organisation's names, so that its own hops between hosts
under different domains (iCloud's me.com and icloud.com, Yahoo's yahoo.com and aol.com) are read
as one organisation, never as a border.

The table is data about providers, like domains.py is about Microsoft.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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


def same_organisation(a: str | None, b: str | None) -> bool:
    """Whether two registrable domains belong to one organisation."""
    if not a or not b:
        return False
    if a == b:
        return True
    group = _GROUP_OF.get(a)
    return group is not None and b in group


@dataclass(frozen=True)
class Receiver:
    """What the scanner knows about the mailbox a message was read from; detect() works without it.

    organisation: the registrable domains of the mailbox's provider (from its IMAP host), so a hop
    inside it is never the border even when no Received line names it. authserv_ids: the ids its
    verdicts were seen to carry on mail with an unambiguous border (learned per mailbox).
    keys: a DKIM key lookup, dkimpy's dnsfunc(name, timeout=...) -> TXT bytes or None, for our own
    signature checks (signatures.py); None means no checks of our own. junk: read from Junk."""

    organisation: frozenset[str] = frozenset()
    authserv_ids: frozenset[str] = frozenset()
    keys: Callable[..., bytes | None] | None = field(default=None, compare=False)
    # The message was read from the folder the server marks \Junk: the receiver's own judgement.
    junk: bool = False

    def owns(self, domain: str | None) -> bool:
        return domain in self.organisation  # organisation is already a provider's whole group


NOBODY = Receiver()


def organisation_of_host(host: str) -> frozenset[str]:
    """The organisation behind an IMAP host: its provider's group (imap.gmail.com -> Google's
    domains), else the host's own registrable domain (a self-hosted server)."""
    host = host.strip().strip("[]").rstrip(".").lower()
    if "." not in host or host.replace(".", "").isdigit() or ":" in host:
        return frozenset()  # an address or a bare name: nothing to recognise a provider by
    domain = registrable(host)
    if not domain:
        return frozenset()
    return _GROUP_OF.get(domain, frozenset({domain}))
