"""Mailing lists and groups that relay a mail under their own From (Google Groups, Mailman's
DMARC mitigation): "'Microsoft account team' via Family <family@googlegroups.com>".

Such a relay is read as what it carries: the original sender is in X-Original-From (Google Groups)
or Reply-To (Mailman, when From says "via"). Who vouches for the original is the list's own verdict
in its newest ARC set, and only when the mailbox's receiver checked that chain and wrote arc=pass;
otherwise nobody did, and a Microsoft code relayed so is unverified.
"""

from __future__ import annotations

from email.message import Message

from . import message
from .auth import AuthResults, parse_value


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
    when the receiver verified the relay's ARC chain."""
    if receiver.arc != "pass":
        return None
    newest, value = 0, None
    for raw in (msg.get_all("ARC-Authentication-Results") or [])[:50]:
        text = " ".join(str(raw)[: message.HEADER_VALUE_LIMIT].split())
        tag, _, rest = text.partition(";")
        tag = tag.replace(" ", "").lower()
        if tag.startswith("i=") and tag[2:].isdigit() and int(tag[2:]) > newest:
            newest, value = int(tag[2:]), rest.strip()
    return parse_value(value) if value else None
