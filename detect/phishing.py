"""Tells of mail that impersonates Microsoft, or abuses Microsoft's genuine sender for a lure.

Each tell is a short reason a person can read. Strong tells make a verdict on their own; weak
ones (urgency) only explain a verdict that strong ones made.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from . import lexicon
from . import reason_texts as texts
from .domains import (
    ENTRA_SENDERS,
    MSA_SECURITY_SENDERS,
    claims_microsoft,
    imitates_microsoft_name,
    is_microsoft_domain,
    is_microsoft_link,
    lookalike_reason,
    registrable,
)
from .links import ANTIVIRUS_FOOTERS, unwrap
from .message import EMAIL
from .microsoft import MsContent

_ASKS = re.compile("|".join(lexicon.ASKS_FOR_CODE), re.I)
_URGENT = re.compile("|".join(lexicon.URGENCY), re.I)
_LURE = re.compile("|".join(lexicon.TENANT_LURE), re.I)


@dataclass
class Sender:
    display: str
    address: str
    domain: str
    auth: str  # pass, fail, none, unknown
    reply_to: str = ""
    replayed_microsoft_signature: bool = False
    links: list[str] = field(default_factory=list)
    quoting: bool = False  # passes on Microsoft's mail (a forward whose header block could not be read)
    # The mail is a reply, a list's mail or a note to oneself: where people quote others' wording.
    conversation: bool = False


def tells(sender: Sender, content: MsContent | None, subject: str, text: str) -> tuple[list[str], list[str]]:
    """(strong, weak) reasons; no strong reason means the mail does not impersonate Microsoft."""
    strong: list[str] = []
    weak: list[str] = []
    lookalike = lookalike_reason(sender.domain)
    if not (content or lookalike or claims_microsoft(sender.display) or sender.replayed_microsoft_signature):
        return strong, weak
    if lookalike:
        strong.append(lookalike)
    if imitates_microsoft_name(sender.display):
        strong.append(texts.DISPLAY_HOMOGLYPHS.format(name=sender.display[:40]))
    shown = EMAIL.search(sender.display)
    if shown and shown.group(0).lower() != sender.address:
        strong.append(texts.DISPLAY_SHOWS_OTHER.format(shown=shown.group(0), address=sender.address))
    if sender.replayed_microsoft_signature and not is_microsoft_domain(sender.domain):
        strong.append(texts.REPLAYED_SIGNATURE)
    microsoft_sender = is_microsoft_domain(sender.domain)
    if content and not _official_for(content, sender) and not ordinary_microsoft_mail(sender) and not sender.quoting:
        strong.append(texts.WORDING_FROM.format(domain=sender.domain) if sender.domain else texts.WORDING_FROM_UNKNOWN)
    elif claims_microsoft(sender.display) and not (microsoft_sender or content or lookalike):
        strong.append(
            texts.DISPLAY_CLAIMS.format(domain=sender.domain) if sender.domain else texts.DISPLAY_CLAIMS_NOBODY
        )
    if microsoft_sender and sender.auth == "fail":
        strong.append(texts.AUTH_FAILED.format(domain=sender.domain))
    elif microsoft_sender and content and sender.auth == "none":
        strong.append(texts.NOT_AUTHENTICATED.format(domain=sender.domain))
    if sender.reply_to and registrable(sender.reply_to.rpartition("@")[2]) != registrable(sender.domain):
        strong.append(texts.REPLY_TO_DIFFERS.format(address=sender.reply_to))
    if content:
        strong.extend(_link_tells(sender.links, content.account_hint))
    if _ASKS.search(text):
        strong.append(texts.ASKS_FOR_CODE)
    if content and content.template == "entra_email_verification":
        tenant = _tenant_name(sender.display, subject)
        if tenant and _LURE.search(tenant):
            strong.append(texts.TENANT_LURE.format(tenant=tenant[:60]))
    if _URGENT.search(text):
        weak.append(texts.URGENCY)
    return strong, weak


# A callback lure in text an attacker writes into Microsoft's own mail (a sharer's or a tenant's
# name, a document title, an invitation's subject): a phone number beside money or a call to make.
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ()./-]{7,18}\d(?!\w)")
_CALLBACK = re.compile(
    r"\b(?:call|llame|llamar|appelez|rufen|chiama|ligue|bel|zadzwoń|payment|paid|charged?|refund|invoice|"
    r"purchase|bitcoin|cargo|factura|pago|rechnung|zahlung|facture|paiement|fattura|pagamento)\b"
    r"|(?:usd|eur|gbp|\$|€|£)\s?\d|\d[.,]\d{2}\s?(?:usd|eur|gbp|€|\$|£)",
    re.I,
)


def service_lure(sender: Sender, subject: str) -> str | None:
    """A lure carried by Microsoft's genuine mail (SharePoint and OneDrive shares, Teams notices,
    invitations, any template that shows a name someone chose): the name or subject has a phone
    number and money or a call in it. Only authenticated Microsoft mail: everyone else's is judged
    by the other tells."""
    if not (is_microsoft_domain(sender.domain) and sender.auth == "pass"):
        return None
    written = f"{sender.display} {subject}"[:1000]
    if _has_phone(written) and _CALLBACK.search(written):
        return texts.CALLBACK_LURE.format(text=written[:80])
    return None


_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")


def _has_phone(text: str) -> bool:
    """A phone number as people write one: 9 to 15 digits (E.164) grouped by separators or after a
    "+", standing alone, not a date. An invoice or order number is one unbroken run."""
    for match in itertools.islice(_PHONE.finditer(text), 20):
        number = match.group(0)
        digits = sum(ch.isdigit() for ch in number)
        grouped = number.startswith("+") or not number.isdigit()
        if 9 <= digits <= 15 and grouped and not _DATE.search(number):
            return True
    return False


WORDING_TELL = texts.WORDING_FROM.partition("{")[0].rstrip()


def quotes_microsoft(sender: Sender, strong: list[str]) -> bool:
    """Microsoft's wording quoted in a conversation (a help-desk ticket, a list's warning about the
    campaign, a note to oneself) by a sender that claims nothing: the wording is its only tell, and
    neither the name nor the address nor the domain says Microsoft."""
    if not sender.conversation or not strong or not all(reason.startswith(WORDING_TELL) for reason in strong):
        return False
    claims = claims_microsoft(sender.display) or claims_microsoft(sender.address.partition("@")[0])
    return not (claims or lookalike_reason(sender.domain) or is_microsoft_domain(sender.domain))


def _official_for(content: MsContent, sender: Sender) -> bool:
    if content.template == "entra_email_verification":
        return sender.address in ENTRA_SENDERS
    return sender.domain in MSA_SECURITY_SENDERS


def _link_tells(links: list[str], hint: str | None) -> list[str]:
    found: list[str] = []
    for link in links:
        lowered = link.lower()
        if lowered.startswith("mailto:"):
            target = lowered[7:].split("?")[0]
            # Genuine mail links the account it names (masked, or the greeted address).
            if "**" not in target and target != (hint or ""):
                found.append(texts.MAILTO_LINK.format(address=target[:60]))  # the address only: a query may hold a code
            continue
        if lowered.startswith("www."):
            lowered = "http://" + lowered
        original = unwrap(lowered)  # judged as written, not as a security gateway rewrote it
        if original is None:
            continue  # a gateway's link whose original cannot be read: no evidence either way
        try:
            host = urlsplit(original).hostname or ""
        except ValueError:
            continue
        if host and registrable(host) in ANTIVIRUS_FOOTERS:
            continue  # an antivirus footer's own link says nothing of the mail's author
        if host and not is_microsoft_link(host):
            found.append(texts.FOREIGN_LINK.format(host=host))
    return list(dict.fromkeys(found))[:3]


def _tenant_name(display: str, subject: str) -> str:
    match = re.search(r"on behalf of (.+)$", display, re.I)
    if match:
        return match.group(1).strip()
    match = re.match(r"(.+?) account email verification code", subject, re.I)
    return match.group(1).strip() if match else ""


def ordinary_microsoft_mail(sender: Sender) -> bool:
    """Authenticated mail from one of Microsoft's service domains that is not an account-security
    sender (OneDrive, Teams, the Store): Microsoft's wording there is Microsoft's own, and makes
    neither a code nor an alert."""
    return is_microsoft_domain(sender.domain) and sender.auth == "pass" and sender.domain not in MSA_SECURITY_SENDERS
