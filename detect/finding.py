"""The detector's verdict on one message: plain data, no behaviour beyond serialisation."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime

# "unreadable": the message could not be read (too costly, or broken beyond parsing); recorded, not dropped.
# "unverified": it reads as a Microsoft code, but nobody trustworthy vouched for its sender (no
# verdict from the receiver): never counted as a genuine code.
CATEGORIES = ("ms_code", "ms_alert", "phishing", "other_code", "unverified", "unreadable", "none")
SENDER_AUTH = ("pass", "fail", "none", "unknown")


def mask_code(code: str) -> str:
    """Show only the last two characters: enough to match a code on screen, useless to an attacker."""
    return "****" + code[-2:]


# A run of 6 to 8 digits standing alone: the shape of most one-time codes, masked in stored text
# even where the detector named no code (4 and 5 digit runs are mostly years and numbers).
_CODE_SHAPED = re.compile(r"(?<![\d*])\d{6,8}(?!\d)")


def mask_codes_in(text: str, codes: list[str]) -> str:
    """text with every code in it (also written with spaces, "482 913") and every code-shaped
    digit run masked: subjects such as "582914 is your Google verification code" carry the code."""
    for code in sorted(set(codes), key=len, reverse=True):
        text = text.replace(code, mask_code(code))
        if code.isdigit() and len(code) >= 6:
            half = len(code) // 2
            text = text.replace(f"{code[:half]} {code[half:]}", mask_code(code))
    return _CODE_SHAPED.sub(lambda match: mask_code(match.group(0)), text)


@dataclass
class SignIn:
    country: str | None = None
    ip: str | None = None
    platform: str | None = None
    browser: str | None = None
    at: datetime | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["at"] = iso_utc(self.at)
        return data


@dataclass
class Finding:
    category: str = "none"
    provider: str | None = None
    template: str | None = None
    language: str | None = None
    codes: list[str] = field(default_factory=list)
    account_hint: str | None = None
    sent_at: datetime | None = None
    sender_auth: str = "unknown"
    forwarded: bool = False
    signin: SignIn | None = None
    reasons: list[str] = field(default_factory=list)
    error: str | None = None
    # Not part of the classify output: used by the scanner to store and deduplicate.
    message_id: str | None = None
    subject: str | None = None
    # The From header as written (display name and address), shown on the finding's page.
    sender: str | None = None
    # The address the mail was delivered to (a plus address or an alias says whose data leaked).
    recipient: str | None = None
    # Who vouched for a "pass", in words ("the receiving server", a verified DKIM signature).
    vouched_by: str | None = None
    # The authserv-ids of the receiver's verdicts where its border was unambiguous (learned per mailbox).
    verdict_writers: list[str] = field(default_factory=list)

    def to_dict(self, show_codes: bool = False) -> dict:
        data = {
            "category": self.category,
            "provider": self.provider,
            "template": self.template,
            "language": self.language,
            "codes": list(self.codes) if show_codes else [mask_code(c) for c in self.codes],
            "account_hint": self.account_hint,
            "sent_at": iso_utc(self.sent_at),
            "sender_auth": self.sender_auth,
            "forwarded": self.forwarded,
            "signin": self.signin.to_dict() if self.signin else None,
            "reasons": list(self.reasons),
        }
        if self.error:
            data["error"] = self.error
        return data


def iso_utc(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")
