"""Domains: exact registrable-domain comparison and lookalike detection.

`x.onmicrosoft.com`.endswith("microsoft.com") is True, so nothing here compares suffix strings.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

from . import reason_texts as texts

_PSL = PublicSuffixList()

# Microsoft's own registrable domains and what each sends. Only the exact account-security senders
# below make codes and security alerts; from the rest, Microsoft's name and wording are ordinary
# Microsoft mail (OneDrive shares, Teams notices, Store receipts), never an impostor's. Consumer
# mailbox domains are Microsoft's too, but anyone sends from them: they are never Microsoft's voice.
SERVICE, CONSUMER_MAILBOXES = "Microsoft's own service mail", "anyone's personal mailbox"
MICROSOFT_DOMAINS: dict[str, str] = {
    "microsoft.com": SERVICE,  # also the account-security senders, by exact name (below)
    "microsoftonline.com": SERVICE,  # Entra ID (work and school accounts)
    "microsoft365.com": SERVICE,
    "microsoftstoreemail.com": SERVICE,
    "office.com": SERVICE,
    "office365.com": SERVICE,
    "onedrive.com": SERVICE,
    "sharepoint.com": SERVICE,
    "sharepointonline.com": SERVICE,
    "xbox.com": SERVICE,
    "skype.com": SERVICE,
    "bing.com": SERVICE,
    "azure.com": SERVICE,
    "windows.com": SERVICE,
    "github.com": "GitHub (a Microsoft company, its own sender and codes)",
    "linkedin.com": "LinkedIn (a Microsoft company, its own sender and codes)",
    "outlook.com": CONSUMER_MAILBOXES,
    "hotmail.com": CONSUMER_MAILBOXES,
    "live.com": CONSUMER_MAILBOXES,
    "msn.com": CONSUMER_MAILBOXES,
}
# Organisations whose mail Microsoft really sends from (registrable domains).
MICROSOFT_SENDER_DOMAINS = frozenset(domain for domain, kind in MICROSOFT_DOMAINS.items() if kind == SERVICE)
# Where Exchange Online and Outlook.com receive mail: their AR header carries no authserv-id.
MICROSOFT_MAIL_HOSTS = frozenset({"outlook.com", "office365.com", "microsoft.com", "hotmail.com", "live.com"})
# The only senders of account security and code mail (exact domains, not registrable).
MSA_SECURITY_SENDERS = frozenset({"accountprotection.microsoft.com", "account.microsoft.com"})
ENTRA_SENDERS = frozenset({"msonlineservicesteam@microsoftonline.com", "azure-noreply@microsoft.com"})
# Link targets a genuine Microsoft account mail may carry.
MICROSOFT_LINK_DOMAINS = MICROSOFT_SENDER_DOMAINS | {"live.com", "aka.ms", "outlook.com", "msn.com", "microsoft.net"}
FREEMAIL_DOMAINS = frozenset(
    {
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
        "mail.ru",
        "yandex.ru",
        "qq.com",
        "163.com",
    }
)

# Characters that render like Latin letters (Cyrillic, Greek, digits, look-alike pairs).
_CONFUSABLE = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "х": "x",
        "у": "y",
        "і": "i",
        "ј": "j",
        "ѕ": "s",
        "ԁ": "d",
        "ӏ": "l",
        "к": "k",
        "м": "m",
        "т": "t",
        "н": "h",
        "в": "b",
        "г": "r",
        "α": "a",
        "ο": "o",
        "ρ": "p",
        "ν": "v",
        "ι": "i",
        "κ": "k",
        "τ": "t",
        "μ": "m",
        "ѡ": "w",
        "0": "o",
        "1": "l",
        "3": "e",
        "5": "s",
        "|": "l",
        "ı": "i",
    }
)
_NON_ALNUM = re.compile(r"[^a-z]+")


@lru_cache(maxsize=4096)
def registrable(domain: str) -> str:
    domain = (domain or "").strip(". ").lower()
    if not domain:
        return ""
    try:
        return _PSL.privatesuffix(domain) or domain
    except Exception:
        return domain


@lru_cache(maxsize=4096)
def unicode_domain(domain: str) -> str:
    """Punycode labels decoded, so xn--micrsoft-qbh.com reads as it renders."""
    labels = []
    for label in domain.split("."):
        if label.startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except (UnicodeError, ValueError):
                pass
        labels.append(label)
    return ".".join(labels)


@lru_cache(maxsize=4096)
def skeleton(text: str) -> str:
    """What a reader sees: accents dropped, homoglyphs and 0/1 folded, rn read as m."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(_CONFUSABLE)
    return _NON_ALNUM.sub("", text.replace("rn", "m").replace("vv", "w"))


def is_microsoft_domain(domain: str) -> bool:
    return registrable(domain) in MICROSOFT_SENDER_DOMAINS


def is_microsoft_link(domain: str) -> bool:
    return registrable(domain) in MICROSOFT_LINK_DOMAINS


def claims_microsoft(text: str) -> bool:
    return "microsoft" in skeleton(text) or "msft" in skeleton(text)


def imitates_microsoft_name(text: str) -> bool:
    """Reads as "microsoft" only through homoglyphs or digits (Місrosoft, Micros0ft); "MSFT" is not this."""
    return "microsoft" in skeleton(text) and "microsoft" not in text.lower()


def lookalike_reason(domain: str) -> str | None:
    """Why a non-Microsoft domain imitates Microsoft, or None."""
    if not domain or is_microsoft_domain(domain):
        return None
    shown = unicode_domain(domain)
    if registrable(domain).endswith("onmicrosoft.com") or domain.endswith(".onmicrosoft.com"):
        return texts.ONMICROSOFT_TENANT
    if shown != domain and claims_microsoft(shown):
        return texts.PUNYCODE_LOOKALIKE.format(domain=domain, shown=shown)
    plain = domain.replace("-", ".")
    if "microsoft" in plain.lower():
        return texts.LOOKALIKE_NAME.format(domain=domain)
    if claims_microsoft(shown):
        return texts.LOOKALIKE_IMITATES.format(domain=domain)
    return None
