"""One-time codes from everyone else (Google, Apple, Amazon, GitHub, banks, ...).

A code counts only beside one-time-code wording, on its label's line or alone on the line after
a line that announces it; order, tracking, customer and phone numbers and meeting passcodes never do.
"""

from __future__ import annotations

import itertools
import re

from .domains import registrable
from .phrases import Phrases

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
# A short keyword set per language: the usual names of a one-time code (from providers' common
# wording; no provider's template is copied). Matched like the words above.
_MORE_WORDS = {
    "fr": r"code de confirmation|code à usage unique|code d'accès|votre code|"
    r"(?:saisissez|entrez|utilisez|saisir|entrer|utiliser) (?:ce|le) code",
    "cs": r"ověřovací kód|potvrzovací kód|bezpečnostní kód|jednorázový kód|váš kód|přihlašovací kód|"
    r"autorizační kód|zadejte (?:tento |následující )?kód",
    "sk": r"overovací kód|bezpečnostný kód|jednorazový kód|váš kód",
    "pt": r"código de confirmação|código de segurança|código de acesso|seu código|código de uso único",
    "es": r"código de confirmación|código de acceso|tu código|su código|código de un solo uso",
    "de": r"ihr code|anmeldecode|zugangscode",
    "it": r"codice di sicurezza|codice monouso|codice di accesso|il tuo codice|codice di conferma",
    "nl": r"beveiligingscode|bevestigingscode|je code|uw code|inlogcode",
    "pl": r"kod potwierdzający|kod bezpieczeństwa|twój kod|kod jednorazowy",
    "ja": r"ワンタイムパスワード|認証番号|確認番号|セキュリティ ?コード|ワンタイム ?コード",
    "zh": r"校验码|动态码|驗證碼|確認碼",
    "ko": r"보안 ?코드|확인 ?코드",
}
_OTP_WORDS = _OTP_WORDS + "|" + "|".join(_MORE_WORDS.values())
_OTP = re.compile(_OTP_WORDS, _FLAGS)
# A code in digit groups ("482 913"), joined when read; at most 8 digits in all.
_GROUPED = r"\d{2,4}(?: \d{2,4}){1,3}"
# What may follow a code's name: "...: 482913" on its line, or (digits only) a few words on,
# "Your verification code is 482913", "認証コードは123456です". Matched right after each name that
# _OTP finds, so the long alternation of names runs over the text once.
_LABELLED_AFTER = re.compile(rf"[^\n:]{{0,40}}?[ \t]*:[ \t]*(?P<code>{_GROUPED}(?![ \d])|[A-Z0-9]{{4,8}}\b)", _FLAGS)
_NAMED_AFTER = re.compile(rf"[^\n\d:]{{0,24}}?(?<!\d)(?P<code>{_GROUPED}(?![ \d])|\d{{4,8}})(?!\d)", _FLAGS)
_MAX_NAMES = 50  # code names read in one mail; a genuine one names its code a few times
_ALONE = re.compile(rf"^(?P<code>[A-Z0-9]{{4,8}}|{_GROUPED})$", re.M)
_ANNOUNCE = re.compile(rf":$|{_OTP_WORDS}|\bcode\b|\bcódigo\b|\bcodice\b|\bkod\b", re.I)
_SUBJECT_CODE = re.compile(r"^(?P<code>\d{4,8}) (?:is your|ist ihr|es tu|est votre)\b", re.I)
_MEETING = re.compile(
    r"meeting id|conference id|join (?:the |zoom )?meeting|id de reunión|besprechungs-id|webex|zoom\.|"
    r"teams meeting|id de la réunion|id riunione",
    re.I,
)
_MEETING_LOWER = re.compile(_MEETING.pattern)  # for lower-cased text (the pattern is lower case)
_BANK = re.compile(r"\b(?:m?tan|iban|überweisung|transfer|bank|banco|banque|banka|platb[auy])\b", re.I)
_VERIFY_EMAIL = re.compile(
    r"verify (?:your|this) (?:apple account )?email|verifica tu|verify your email|v[ée]rifi(?:ez|er) votre adresse",
    re.I,
)
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


# Every name in _OTP_WORDS contains one of these (tested): plain substring checks rule out the
# long, case-insensitive alternation on the many mails that name no code at all.
CODE_NAME_STEMS = (
    "cod", "cód", "kod", "kód", "код", "password", "passwort", "otp", "tan", "contraseña", "verif",
    "码", "碼", "コード", "パスワード", "番号", "코드",
)  # fmt: skip
_ASCII_STEMS = tuple(stem for stem in CODE_NAME_STEMS if stem.isascii())  # all an ASCII text can hold
# The same names for lower-cased text, read in one pass (detect.phrases): 0.2 ms for 20 KB of text,
# where the alternation takes 4.8 ms case-sensitive and 23 ms with re.I (measured on the bench's mix);
# only the stretches around the stems are read, which every name holds.
_OTP_PHRASES = Phrases(_OTP_WORDS, anchors=CODE_NAME_STEMS)


def read_codes(subject: str, text: str) -> list[str]:
    """Codes announced as one-time codes, in order of appearance; empty when none."""
    low, low_subject = text.lower(), subject.lower()
    stems = _ASCII_STEMS if low.isascii() and low_subject.isascii() else CODE_NAME_STEMS
    if not any(stem in low or stem in low_subject for stem in stems) and not _SUBJECT_CODE.search(subject):
        return []
    # Positions in the lower-cased text are positions in the text when lower-casing kept its length
    # (nearly always); otherwise the slower case-insensitive alternation reads the text itself.
    if len(low) == len(text):
        names = _OTP_PHRASES.ends(low, _MAX_NAMES)
    else:
        names = [hit.end() for hit in itertools.islice(_OTP.finditer(text), _MAX_NAMES)]
    if not (names or _OTP.search(subject) or _SUBJECT_CODE.search(subject)) or _MEETING_LOWER.search(low):
        return []
    codes: list[str] = []
    for end in names:
        if match := _LABELLED_AFTER.match(text, end):
            _add(codes, match.group("code"))
    if not codes:
        for end in names:
            if match := _NAMED_AFTER.match(text, end):
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
    # A code has digits; digit groups are one code ("482 913"), 4 to 8 digits in all.
    if " " in code:
        code = code.replace(" ", "")
        if not 4 <= len(code) <= 8:
            return
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
