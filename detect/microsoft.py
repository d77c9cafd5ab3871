"""Reading Microsoft account mail: which template, which language, the codes, the account and
the sign-in details. Pure text in, facts out; who sent it is judged elsewhere."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import lexicon
from .dates import loose_date
from .domains import ENTRA_SENDERS, is_microsoft_domain
from .finding import SignIn
from .message import EMAIL

_FLAGS = re.I | re.M

_LABEL_TABLE = [
    (kind, lang, re.compile(f"(?:{pattern})", _FLAGS))
    for kind, by_lang in lexicon.CODE_LABELS.items()
    for lang, patterns in by_lang.items()
    for pattern in patterns
]
_ALL_LABELS = "|".join(f"(?:{pattern.pattern})" for _, _, pattern in _LABEL_TABLE)
# The code sits on its label's line: "Security code: 054325", "Code de sécurité : 212464".
_CODE_LINE = re.compile(rf"(?P<label>{_ALL_LABELS})[ \t]*:[ \t]*(?P<code>\d{{4,8}})(?![\d])", _FLAGS)
_COLON_DIGITS = re.compile(r":[ \t]*\d{4,8}(?!\d)")
# Longer than any label with its spaces (tested): the label search for a colon starts this far
# back, so a long line of ": 123456" costs a bounded search per colon, not one from the line start.
LABEL_REACH = 120
# A genuine code mail has one to three "label: digits" places; past this many, the text is
# crafted to make the label search expensive, and the rest is not looked at.
MAX_CODE_CANDIDATES = 100
_ALERTS = [
    (template, lang, re.compile(f"(?:{'|'.join(phrases)})", _FLAGS))
    for template, by_lang in lexicon.ALERTS.items()
    for lang, phrases in by_lang.items()
]
_RESET = re.compile("|".join(lexicon.PASSWORD_RESET), _FLAGS)
_VERIFY = re.compile("|".join(lexicon.VERIFY_EMAIL), _FLAGS)
_PERSONAL = re.compile("|".join(lexicon.PERSONAL), _FLAGS)
_ENTRA_SUBJECT = re.compile(r"account email verification code|thanks for verifying your", _FLAGS)
_MASKED = re.compile(r"[^\s@<>()\"',;:*]{1,4}\*{2,}[^\s@<>()\"',;:*]{0,3}@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}", re.I)
_FIELDS = {
    name: re.compile(rf"^(?:{'|'.join(labels)})[ \t]*:[ \t]*(?P<value>[^\n]{{1,80}})$", _FLAGS)
    for name, labels in lexicon.SIGNIN_FIELDS.items()
}


@dataclass
class MsContent:
    kind: str  # "code" or "alert"
    template: str
    language: str
    codes: list[str] = field(default_factory=list)
    account_hint: str | None = None
    signin: SignIn | None = None


def read(subject: str, text: str, sender: str, default_tz) -> MsContent | None:
    """Microsoft account wording in this text, or None. `sender` is the From address as shown."""
    found = code_lines(text)
    if found:
        return _code_mail(subject, text, sender, found)
    return _alert_mail(subject, text, default_tz)


def code_lines(text: str) -> list[re.Match]:
    """The same matches as _CODE_LINE.finditer(text), found faster: the cheap colon-and-digits
    pattern picks the few places a code can be, and the label alternation (15 languages) runs
    only on that line. Labels never span lines, so nothing is lost."""
    found: list[re.Match] = []
    done = 0
    for tried, hit in enumerate(_COLON_DIGITS.finditer(text)):
        if tried >= MAX_CODE_CANDIDATES:
            break
        if hit.start() < done:
            continue
        start = max(
            done, text.rfind("\n", max(0, hit.start() - LABEL_REACH), hit.start()) + 1, hit.start() - LABEL_REACH
        )
        match = _CODE_LINE.search(text, start, hit.end())
        if match:
            found.append(match)
            done = match.end()
    return found


def _label_of(label: str) -> tuple[str, str]:
    for kind, lang, pattern in _LABEL_TABLE:
        if pattern.fullmatch(label):
            return kind, lang
    return "your_code", "en"


def _code_mail(subject: str, text: str, sender: str, found: list[re.Match]) -> MsContent:
    codes: list[str] = []
    for match in found:
        if match.group("code") not in codes:
            codes.append(match.group("code"))
    first = found[0]
    kind, lang = _label_of(first.group("label"))
    both = f"{subject}\n{text}"
    if sender in ENTRA_SENDERS or _ENTRA_SUBJECT.search(both):
        template = "entra_email_verification"
    elif kind == "single_use":
        # The 2016-era single-use mail carried 7 digits, the current one 6 (facts 2.1, 2.6).
        template = "msa_single_use_v1" if len(codes[0]) == 7 else "msa_single_use_v2"
    elif _RESET.search(both):
        template = "msa_password_reset"
    elif _VERIFY.search(both):
        template = "msa_verify_email"
    elif kind == "security_code":
        template = "msa_security_code_personal" if _PERSONAL.search(both) else "msa_security_code"
    else:
        template = "msa_code"
    if template == "msa_single_use_v1" or template == "msa_single_use_v2":
        hint = _greeted_address(text[: first.start()])
    elif template in ("entra_email_verification", "msa_verify_email"):
        hint = None  # these templates name no Microsoft account
    else:
        hint = _masked_hint(text)
    return MsContent("code", template, lang, codes, hint)


def _greeted_address(before_label: str) -> str | None:
    """The single-use mail greets the full address; take the first one that is not Microsoft's."""
    for match in EMAIL.finditer(before_label):
        address = match.group(0).lower()
        if not is_microsoft_domain(address.rpartition("@")[2]):
            return address
    return None


def _masked_hint(text: str) -> str | None:
    match = _MASKED.search(text)
    return match.group(0).rstrip(".").lower() if match else None


def _alert_mail(subject: str, text: str, default_tz) -> MsContent | None:
    both = f"{subject}\n{text}"
    for template, lang, pattern in _ALERTS:
        if pattern.search(both):
            content = MsContent("alert", template, lang, account_hint=_masked_hint(text))
            if template == "msa_unusual_signin":
                content.signin = _signin(text, lang, default_tz)
            return content
    return None


def _signin(text: str, lang: str, default_tz) -> SignIn | None:
    values = {}
    for name, pattern in _FIELDS.items():
        match = pattern.search(text)
        if match:
            values[name] = match.group("value").strip()
    if not values:
        return None
    at = values.pop("at", None)
    return SignIn(
        country=values.get("country"),
        ip=values.get("ip"),
        platform=values.get("platform"),
        browser=values.get("browser"),
        at=loose_date(at, default_tz, day_first=lang != "en") if at else None,
    )


# A code by its place in the template, whatever the language: 4 to 8 digits alone on a line (or in
# groups, "482 913"), or after the last colon of a short line ("Sicherheitscode : 482913", a table
# cell read as "Code:482913"). Used only for mail authenticated as Microsoft's security sender.
_ALONE_CODE = re.compile(r"^\d{4,8}$|^\d{2,4}(?: \d{2,4}){1,3}$")
_SHORT_LINE = 120


def read_by_structure(
    subject: str, text: str, sender: str, language: str | None, standalone: list[str] = ()
) -> MsContent:
    """What an authenticated Microsoft account-security mail says, when its wording is not in the
    lexicon: never dropped, a code mail if it carries a code, else an alert; template named only
    where known wording names it."""
    codes: list[str] = []
    first = None
    offset = 0
    for line in text.split("\n"):
        code = _structural_code(line)
        if code and code not in codes:
            codes.append(code)
            first = offset if first is None else first
        offset += len(line) + 1
    for piece in standalone:  # a code alone in its own table cell or emphasis
        code = _structural_code(piece)
        if code and code not in codes:
            codes.append(code)
    both = f"{subject}\n{text}"
    hint = _masked_hint(text) or (_greeted_address(text[:first]) if first is not None else None)
    if not codes:
        return MsContent("alert", "unknown", language or "", account_hint=hint)
    if sender in ENTRA_SENDERS:
        template = "entra_email_verification"
    elif _RESET.search(both):
        template = "msa_password_reset"
    elif _VERIFY.search(both):
        template = "msa_verify_email"
    else:
        template = "unknown"
    return MsContent("code", template, language or "", codes, hint)


def _structural_code(line: str) -> str | None:
    line = line.strip()
    if len(line) > _SHORT_LINE:
        return None
    candidate = line.rpartition(":")[2].strip() if ":" in line else line
    if _ALONE_CODE.match(candidate):
        digits = candidate.replace(" ", "")
        if 4 <= len(digits) <= 8:
            return digits
    return None
