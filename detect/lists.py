"""Mailing lists and groups that relay a mail under their own From (Google Groups, Mailman's
DMARC mitigation): "'Microsoft account team' via Family <family@googlegroups.com>".

Such a relay is read as what it carries: the original sender is in X-Original-From (Google Groups)
or Reply-To (Mailman, when From says "via"). Who vouches for the original is the list's own verdict
in its newest ARC set, and only when the mailbox's receiver checked that chain and wrote arc=pass
and the set was sealed by a list operator known to check senders itself (TRUSTED_SEALERS);
otherwise nobody trustworthy did, and a Microsoft code relayed so is unverified.
"""

from __future__ import annotations

from email.message import Message

from . import message
from .auth import AuthResults, arc_instance, parse_value
from .domains import registrable


def relayed_original(msg: Message, from_display: str) -> tuple[str, str] | None:
    """(display, address) of the sender a list relayed, or None when this is no list's relay."""
    if msg.get("List-Id") is None and msg.get("Mailing-List") is None:
        return None
    display, address = message.address(msg, "X-Original-From")
    if address:
        return display, address
    if " via " in f" {from_display.lower()} ":
        display, address = message.address(msg, "Reply-To")
        if address:
            return display, address
    return None


def lists_verdict(msg: Message, receiver: AuthResults) -> AuthResults | None:
    """The verdict the relay recorded on the original (its newest ARC-Authentication-Results),
    when the receiver verified the relay's ARC chain and that set was sealed by a list operator
    that checks the original's sender itself. A valid seal only proves who sealed: anyone can seal
    a set that claims dmarc=pass, so the sealer must be one of TRUSTED_SEALERS."""
    if receiver.arc != "pass":
        return None
    sets: dict[int, str] = {}
    for raw in (msg.get_all("ARC-Authentication-Results") or [])[:50]:
        instance, rest = arc_instance(raw)
        if instance is not None:
            sets.setdefault(instance, rest)
    if not sets:
        return None
    newest = max(sets)
    return parse_value(sets[newest]) if _sealer(msg, newest) in TRUSTED_SEALERS else None


# List operators whose ARC sets record their own check of the original sender: Google Groups
# seals as google.com (gmr-mx.google.com writes the verdict, tests/receivers/google_groups_1.txt).
TRUSTED_SEALERS = frozenset({"google.com"})


def _sealer(msg: Message, instance: int) -> str | None:
    """The d= domain of the ARC-Seal of one instance."""
    for raw in (msg.get_all("ARC-Seal") or [])[:50]:
        number, rest = arc_instance(raw)
        if number != instance:
            continue
        for tag in rest.split(";"):
            name, _, value = tag.partition("=")
            if name.strip().lower() == "d":
                return registrable(value.strip().lower())
    return None
