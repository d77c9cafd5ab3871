"""Who received the mail: the receiving organisation's names, so that its own hops between hosts
under different domains (iCloud's me.com and icloud.com, Yahoo's yahoo.com and aol.com) are read
as one organisation, never as a border.

The table is data about providers, like domains.py is about Microsoft.
"""

from __future__ import annotations

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
