"""One-time codes from everyone else (Google, Apple, Amazon, GitHub, banks, ...).

A code counts only beside one-time-code wording, on its label's line or alone on the line after
a line that announces it; order, tracking, customer and phone numbers and meeting passcodes never do.
"""

from __future__ import annotations

import re

from .domains import registrable

_FLAGS = re.I | re.M
_OTP_WORDS = (
    r"verification code|security code|sign-?in code|login code|log-?in code|one[- ]time (?:pass)?code|"
    r"one[- ]time password|\botp\b|\bm?tan\b|einmalpasswort|einmalcode|bestätigungscode|sicherheitscode|"
    r"verifizierungscode|código de verificación|código de seguridad|contraseña de un solo uso|"
    r"código de verificação|code de vérification|code de sécurité|codice di verifica|verificatiecode|"
    r"kod weryfikacyjny|verifieringskod|doğrulama kodu|код подтверждения|код підтвердження|验证码|"
    r"確認コード|認証コード|인증 ?코드|steam guard code|verify your (?:device|email)|confirmation code|"
    r"enter the code|use this code|email verification"
)
_OTP = re.compile(_OTP_WORDS, _FLAGS)
_LABELLED = re.compile(rf"(?:{_OTP_WORDS})[^\n:]{{0,40}}?[ \t]*:[ \t]*(?P<code>[A-Z0-9]{{4,8}})\b", _FLAGS)
_ALONE = re.compile(r"^(?P<code>[A-Z0-9]{4,8})$", re.M)
_ANNOUNCE = re.compile(rf":$|{_OTP_WORDS}|\bcode\b|\bcódigo\b|\bcodice\b|\bkod\b", re.I)
_SUBJECT_CODE = re.compile(r"^(?P<code>\d{4,8}) (?:is your|ist ihr|es tu|est votre)\b", re.I)
_MEETING = re.compile(
    r"meeting id|conference id|join (?:the |zoom )?meeting|id de reunión|besprechungs-id|webex|zoom\.|"
    r"teams meeting|id de la réunion|id riunione",
    re.I,
)
_BANK = re.compile(r"\b(?:m?tan|iban|überweisung|transfer|bank|banco|banque)\b", re.I)
_VERIFY_EMAIL = re.compile(r"verify (?:your|this) (?:apple account )?email|verifica tu|verify your email", re.I)
_PROVIDERS = {
    "google.com": "google",
    "apple.com": "apple",
    "github.com": "github",
    "steampowered.com": "steam",
    "paypal.com": "paypal",
    "facebookmail.com": "facebook",
    "instagram.com": "instagram",
    "linkedin.com": "linkedin",
    "dropbox.com": "dropbox",
    "discord.com": "discord",
    "x.com": "x",
    "twitter.com": "x",
    "netflix.com": "netflix",
    "ebay.com": "ebay",
    "yahoo.com": "yahoo",
}


def provider_of(domain: str) -> str:
    org = registrable(domain)
    if org.startswith("amazon.") or org.endswith(".amazon.com") or org == "amazonses.com":
        return "amazon"
    return _PROVIDERS.get(org, org or "unknown")


def read_codes(subject: str, text: str) -> list[str]:
    """Codes announced as one-time codes, in order of appearance; empty when none."""
    if _MEETING.search(text) or not (_OTP.search(text) or _OTP.search(subject) or _SUBJECT_CODE.search(subject)):
        return []
    codes: list[str] = []
    for match in _LABELLED.finditer(text):
        _add(codes, match.group("code"))
    lines = text.split("\n")
    for i, line in enumerate(lines):
        match = _ALONE.match(line)
        if match and _announced(lines, i):
            _add(codes, match.group("code"))
    if not codes and (match := _SUBJECT_CODE.search(subject)):
        _add(codes, match.group("code"))
    return codes


def _announced(lines: list[str], index: int) -> bool:
    for j in range(index - 1, max(index - 3, -1), -1):
        if lines[j]:
            return bool(_ANNOUNCE.search(lines[j]))
    return False


def _add(codes: list[str], code: str) -> None:
    # A code has digits; an all-digit run is a code only if it is 4 to 8 long (already enforced).
    if any(c.isdigit() for c in code) and code not in codes:
        codes.append(code)


def template_of(provider: str, subject: str, text: str) -> str:
    both = f"{subject}\n{text}"
    if provider == "steam":
        return "steam_guard"
    if provider == "github" and re.search(r"verify your device", both, re.I):
        return "github_device_verification"
    if provider in ("google", "apple") and _VERIFY_EMAIL.search(both):
        return f"{provider}_verify_email"
    if provider == "amazon":
        return "amazon_otp"
    if _BANK.search(both):
        return "bank_otp"
    return f"{provider}_otp" if provider in _PROVIDERS.values() else "otp"
