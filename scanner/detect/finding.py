"""The detector's verdict on one message: plain data, no behaviour beyond serialisation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

CATEGORIES = ("ms_code", "ms_alert", "phishing", "other_code", "none")
SENDER_AUTH = ("pass", "fail", "none", "unknown")


def mask_code(code: str) -> str:
    """Show only the last two characters: enough to match a code on screen, useless to an attacker."""
    return "****" + code[-2:]


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
