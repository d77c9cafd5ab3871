"""Which kind of Microsoft account an address is, told from its domain and from the mail Microsoft sent
about it: a personal Microsoft account (account.live.com) or a work or school account (Microsoft Entra
ID, mysignins.microsoft.com). Pure functions: no Django here."""

from __future__ import annotations

from collections.abc import Iterable

PERSONAL = "personal"
WORK_OR_SCHOOL = "work_or_school"
UNKNOWN = "unknown"

# Microsoft's own consumer mail domains hold only personal accounts: outlook.com, hotmail.co.uk, live.de …
_CONSUMER_NAMES = {"outlook", "hotmail", "live", "windowslive"}
_CONSUMER_DOMAINS = {"msn.com", "passport.com"}
# The detector's templates of Entra mail (facts 1.1: "Microsoft on behalf of <tenant>" from
# msonlineservicesteam@microsoftonline.com). Mail from the Microsoft account team (msa_*) is about a
# personal account.
ENTRA_TEMPLATES = frozenset({"entra_email_verification"})


def by_domain(address: str) -> str | None:
    """The kind the domain alone decides, or None. Works on a masked hint too (`ja**a@outlook.com`)."""
    domain = address.rpartition("@")[2].strip().lower().rstrip(".")
    if domain in _CONSUMER_DOMAINS:
        return PERSONAL
    name, _, suffix = domain.partition(".")
    # outlook.com, outlook.co.uk, hotmail.com.br: a public suffix after the name, not outlook.example.org.
    if name in _CONSUMER_NAMES and suffix and all(0 < len(part) <= 3 for part in suffix.split(".")):
        return PERSONAL
    if domain.endswith(".onmicrosoft.com"):  # a tenant's own first domain: only Entra accounts live there
        return WORK_OR_SCHOOL
    return None


def told_by(template: str) -> str | None:
    """What one finding's template says about the account's kind, or None when it says nothing."""
    if template in ENTRA_TEMPLATES:
        return WORK_OR_SCHOOL
    if template.startswith("msa_"):
        return PERSONAL
    return None


def detect(address: str, templates: Iterable[str]) -> str:
    """The domain first; then the mail: only Entra mail is work or school, only Microsoft account mail
    is personal. Both (one address can be both kinds of account) or neither: unknown, for the person
    to say."""
    decided = by_domain(address)
    if decided:
        return decided
    told = {told_by(template) for template in templates} - {None}
    return told.pop() if len(told) == 1 else UNKNOWN
