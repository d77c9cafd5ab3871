"""detect(raw bytes) -> Finding: the one entry point of the detection core."""

from __future__ import annotations

import bisect
import itertools
import re
from datetime import datetime
from email.message import Message

from . import auth, budget, devicecode, language, lexicon, lists, message, microsoft, other, signatures
from . import reason_texts as texts
from .dates import loose_date, message_time, offset_of
from .domains import (
    ENTRA_SENDERS,
    MSA_SECURITY_SENDERS,
    claims_microsoft,
    is_microsoft_domain,
    lookalike_reason,
    registrable,
)
from .finding import Finding
from .forwards import Forward, quotes_a_mail, split_forwards
from .phishing import Sender, ordinary_microsoft_mail, quotes_microsoft, service_lure, tells
from .phrases import ByteStems
from .receivers import NOBODY, Receiver

_FORWARD_PREFIX = re.compile(lexicon.FORWARD_PREFIX, re.I)
_MS_ACCOUNT = re.compile("|".join(lexicon.MICROSOFT_ACCOUNT), re.I)
_MS_ACCOUNT_LOWER = re.compile("|".join(lexicon.MICROSOFT_ACCOUNT))  # for lower-cased text: much faster
# Every phrase of lexicon.MICROSOFT_ACCOUNT holds one of these (tests/test_detect_one_pass.py reads the
# patterns to prove it): str's own search rules out in 0.02 ms the everyday mail the alternation
# takes 0.5 ms to read (20 KB). An ASCII text can hold only the ASCII ones.
_MS_ACCOUNT_NEEDLES = ("soft", "s0ft", "майкрософт")
_MS_ACCOUNT_ASCII_NEEDLES = tuple(needle for needle in _MS_ACCOUNT_NEEDLES if needle.isascii())
_MAX_DEPTH = 3
_MAX_HEADER_LINES = 2000
_MAX_HEADER_BYTES = 1024 * 1024
_UNREADABLE_HEAD = 64 * 1024
# Six to eight digits, or two groups of three, not inside a longer number, a date or a decimal. It
# starts with its first digit (the look-behind after it), so `re` skips to digits at C speed instead of
# trying the pattern at every byte: 10 to 50 us a snippet instead of 120 (tests/test_detect_one_pass.py).
_CODE_SHAPE = re.compile(rb"\d(?<![\d.,/:-]\d)(?:\d{5,7}|\d{2} \d{3})(?![\d,/:-]|\.\d)")
# The stem of a one-time code's name in many languages, as bytes in the charsets mail uses: Latin
# stems at a word start (code, código, codice, kod, kód, otp, pin, token, verif...), Cyrillic in
# UTF-8 and KOI8-R, CJK in UTF-8, and "コード" as ISO-2022-JP writes it between its escapes.
_LATIN_STEMS = (b"cod", b"c\xc3\xb3d", b"c\xf3d", b"kod", b"k\xc3\xb3d", b"k\xf3d", b"otp", b"token", b"verif",
                b"passw", b"passcode", b"einmal", b"sicherheits", b"security", b"s\xc3\xa9cur", b"segur", b"sicur",
                b"bezpe", b"vahvist", b"bekr\xc3\xa6ft", b"bekr\xe6ft")  # fmt: skip
_LATIN_WORDS = (b"pin", b"tan", b"mtan", b"m-tan")
_OTHER_STEMS = tuple(
    stem.encode() for stem in ("код", "碼", "码", "コード", "코드", "번호", "รหัส", "קוד", "رمز", "κωδικ")
)
_CODE_NAME_STEMS = (
    [(stem, True, False) for stem in _LATIN_STEMS]
    + [(word, True, True) for word in _LATIN_WORDS]
    + [(stem, False, False) for stem in (*_OTHER_STEMS, b"%3!<%i", b"\xcb\xcf\xc4")]
)
_BODY_HINTS = (
    b"message/rfc822", b".eml", b"microsoft", b"forwarded", b"original message", b"weitergeleitet",
    "ursprüngliche nachricht".encode(), b"message transf", b"reenviado", b"encaminhada", b"inoltrato",
    b"\n>", b"devicelogin",
)  # fmt: skip
_BODY_WORDS = ByteStems(_CODE_NAME_STEMS, hints=_BODY_HINTS)
_FOLD = re.compile(rb"\r\n[ \t]|\n[ \t]")  # = \r?\n[ \t], spelt so the engine can skip ahead fast
_ASCII_HINTS = tuple(hint for hint in lexicon.HEADER_HINTS if hint.isascii())
_OTHER_HINTS = tuple(hint for hint in lexicon.HEADER_HINTS if not hint.isascii())
# ASCII hints count only at the start of a word ("verif" in "verification", not "code" in
# "barcode" or "sign" in "design"), so everyday mail does not pass for a few shared letters.
# Hints in scripts without spaces between words (Chinese, Japanese) stay substrings.
_HINT_ALTERNATION = "|".join(re.escape(hint) for hint in sorted(_ASCII_HINTS, key=len, reverse=True))
_HINT_WORD = re.compile(rf"(?<![a-z0-9])(?:{_HINT_ALTERNATION})")
_HINT_WORD_BYTES = re.compile(rf"(?<![a-z0-9])(?:{_HINT_ALTERNATION})".encode())
_SUBJECT_LINE = re.compile(r"^subject:(.*)$", re.M)
# A forward prefix at the start of a Subject value, in lower-cased ASCII headers; the space
# class is what str.strip() and the str pattern's \s cover in ASCII.
_SPACE = rb"[ \t\r\x0b\x0c\x1c-\x1f]*"
# Starting with the literal lets the regex engine skip ahead to each "subject:" at C speed.
_FORWARD_SUBJECT = re.compile(
    rb"subject:"
    + _SPACE
    + rb"(?:"
    + "|".join(w for w in lexicon.FORWARD_WORDS if w.isascii()).encode()
    + rb")"
    + _SPACE
    + rb":"
)


def detect(
    raw: bytes, prefiltered: bool = False, budget_seconds: float = budget.DEFAULT_SECONDS, receiver: Receiver = NOBODY
) -> Finding:
    """Classify one message. Never raises: whatever the bytes, a Finding comes back, "unreadable"
    when it could not be read within budget_seconds of CPU, so a caller records it and moves on.
    `prefiltered`: the caller already had worth_reading_headers() say yes, so go straight to reading.
    `receiver`: what the caller knows of the mailbox's receiver (receivers.Receiver)."""
    if not isinstance(raw, (bytes, bytearray)):
        raw = str(raw).encode("utf-8", "surrogateescape")
    raw = bytes(raw)
    try:
        with budget.within(budget_seconds):
            too_complex = message.too_complex(raw)
            if too_complex:
                return unreadable(raw, too_complex)
            raw, trimmed = _trim_header(raw)
            finding = analyse(message.parse(raw), 0, receiver, raw) if prefiltered else _detect(raw, receiver)
    except budget.BudgetExceeded:
        return unreadable(raw, texts.OVER_BUDGET.format(seconds=f"{budget_seconds:g}"))
    except RecursionError:
        return unreadable(raw, texts.NESTED_TOO_DEEPLY)
    except Exception as exc:  # the promise is "never raise"; tests assert this branch stays unused
        return unreadable(raw, texts.INTERNAL_ERROR.format(error=type(exc).__name__))
    if trimmed:
        finding.error = "; ".join(filter(None, [finding.error, trimmed]))
    return finding


def unreadable(raw: bytes, why: str) -> Finding:
    """The verdict on a message that could not be read: recorded and shown, never silently dropped.
    Its Message-ID and subject come from a small, capped read of the first header lines."""
    # `why` is a reason ("this message has ..."); the error says it as a sentence.
    finding = Finding(category="unreadable", error=f"{why[:1].upper()}{why[1:]}.", reasons=[why])
    try:
        head = message.parse_headers_only(raw[:_UNREADABLE_HEAD])
        finding.message_id = _message_id(head)
        finding.subject = message.header_text(head, "Subject")[:300]
        finding.sent_at = message_time(head)
    except Exception:
        pass
    return finding


def _trim_header(raw: bytes) -> tuple[bytes, str | None]:
    """A header section of at most _MAX_HEADER_LINES lines: a crafted million-line header would
    cost every header look-up a walk over all of them. Genuine mail has a few dozen."""
    block = _header_block(raw[: _MAX_HEADER_BYTES + 4])
    if block.count(b"\n") <= _MAX_HEADER_LINES and len(block) <= _MAX_HEADER_BYTES:
        return raw, None
    end = _header_block(raw)
    lines = end.split(b"\n", _MAX_HEADER_LINES)[:_MAX_HEADER_LINES]
    kept = b"\n".join(lines)[:_MAX_HEADER_BYTES].rstrip(b"\r\n")
    return kept + b"\r\n\r\n" + raw[len(end) :].lstrip(b"\r\n"), (
        f"the header section is too long; only its first {_MAX_HEADER_LINES} lines were read"
    )


def worth_reading_headers(header: bytes) -> bool:
    """The pre-filter on a header block alone (From, Sender, Reply-To, Subject): False means
    detect() on the whole message would find nothing, so a scanner need not fetch its body.
    Blind spot: a message forwarded as an attachment under a subject with no keyword and no
    forward prefix; mail clients add "Fwd:" and the like."""
    try:
        text = _plain_header_text(bytes(header))
        if text is None:  # encoded words or another charset: the real parser decodes them
            return _worth_reading(message.parse_headers_only(bytes(header)), b"")
        if _has_hint(text):
            return True
        line = _SUBJECT_LINE.search(text)
        return bool(line and _FORWARD_PREFIX.search(line.group(1).strip()))
    except Exception:  # a header we cannot read: let the full detector decide
        return True


def worth_reading_many(headers: list[bytes], snippets: list[bytes] | None = None,
                       attaches_mail: list[bool] | None = None) -> list[bool]:  # fmt: skip
    """The one pre-filter, for a batch: worth_reading_headers() on each header (the same answers,
    in a fraction of the time), or an attached mail in its structure, or worth_reading_body() on
    the start of its first part. Plain ASCII headers (nearly all) are searched together at C speed."""
    answers = _headers_worth_reading([bytes(header) for header in headers])
    if attaches_mail is not None:
        answers = [answer or bool(attached) for answer, attached in zip(answers, attaches_mail, strict=True)]
    if snippets is not None:
        rest = [index for index, answer in enumerate(answers) if not answer and snippets[index]]
        for index, worth in zip(rest, _bodies_worth_reading([bytes(snippets[i]) for i in rest]), strict=True):
            answers[index] = worth
    return answers


def _bodies_worth_reading(bodies: list[bytes]) -> list[bool]:
    """worth_reading_body() for many snippets (the same answers: tests/test_prefilter.py)."""
    return [worth_reading_body(body) for body in bodies]


def _pieces_with(joined: bytes, starts: list[int], find) -> set[int]:
    """Which pieces of a joined batch hold a hit: find(position) gives the next hit's start or -1;
    after each hit the search jumps to the next piece, so one C-speed scan covers the batch."""
    found: set[int] = set()
    at = find(0)
    while at >= 0:
        k = bisect.bisect_right(starts, at) - 1
        found.add(k)
        at = find(starts[k + 1]) if k + 1 < len(starts) else -1
    return found


def _match_start(match) -> int:
    return match.start() if match else -1


def _headers_worth_reading(headers: list[bytes]) -> list[bool]:
    answers = [False] * len(headers)
    plain = [i for i, h in enumerate(headers) if h.isascii() and b"=?" not in h and b"\0" not in h]
    if len(plain) < len(headers):
        for index in set(range(len(headers))).difference(plain):
            answers[index] = worth_reading_headers(headers[index])
    if not plain:
        return answers
    joined = b"\0".join(headers[i] for i in plain).lower()
    if b"\n " in joined or b"\n\t" in joined:
        joined = _FOLD.sub(b" ", joined)
    starts = [0, *itertools.accumulate(len(piece) + 1 for piece in joined.split(b"\0"))][:-1]
    hit = _pieces_with(joined, starts, lambda at: _match_start(_HINT_WORD_BYTES.search(joined, at)))
    for match in _FORWARD_SUBJECT.finditer(joined):
        if match.start() == 0 or joined[match.start() - 1] in b"\n\0":  # a Subject line, not a word in one
            k = bisect.bisect_right(starts, match.start()) - 1
            # Only the first Subject field counts, as in the parsed message; forwards are few, so
            # the single path settles it.
            if k not in hit and worth_reading_headers(headers[plain[k]]):
                hit.add(k)
    for k in hit:
        answers[plain[k]] = True
    return answers


def _has_hint(text: str) -> bool:
    if _HINT_WORD.search(text):
        return True
    if not text.isascii():
        for hint in _OTHER_HINTS:
            if hint in text:
                return True
    return False


def _plain_header_text(header: bytes) -> str | None:
    """Unfolded, lower-cased header text when reading it needs no decoding (the common case,
    and a scanner asks this for every message in a mailbox)."""
    if b"=?" in header:
        return None
    try:
        return _FOLD.sub(b" ", header).decode("utf-8").lower()
    except UnicodeDecodeError:
        return None


def _detect(raw: bytes, receiver: Receiver) -> Finding:
    head = message.parse_headers_only(_header_block(raw))
    if not _worth_reading(head, raw):
        finding = Finding(sent_at=message_time(head))
        _, address = message.address(head, "From")
        results = auth.receiver_results(head, receiver)
        finding.sender_auth = auth.verdict(results, message.domain_of(address))
        finding.verdict_writers = list(results.writers)
        finding.message_id = _message_id(head)
        finding.subject = message.header_text(head, "Subject")[:300]
        finding.sender = _shown_sender(head)
        return finding
    return analyse(message.parse(raw), 0, receiver, raw)


def _shown_sender(msg: Message) -> str | None:
    """From as a person reads it: the display name is what a lookalike forges, so it is kept beside
    the address."""
    display, address = message.address(msg, "From")
    if display and address:
        return f"{display} <{address}>"[:300]
    return (address or display or "")[:300] or None


def _header_block(raw: bytes) -> bytes:
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    return raw[: min(ends) + 2] if ends else raw


def _worth_reading(head: Message, raw: bytes) -> bool:
    """Cheap pre-filter on headers: only mail that could be a code, a notice, a lure or a forward."""
    subject = message.header_text(head, "Subject")
    hay = " ".join(
        (
            subject,
            str(head.get("From", "")),
            message.header_text(head, "From"),
            str(head.get("Reply-To", "")),
            str(head.get("Sender", "")),
        )
    ).lower()
    if _has_hint(hay) or _FORWARD_PREFIX.search(subject):
        return True
    if not raw:
        return False
    # With the whole message at hand (classify, import_mail) the body is read as a scanner reads
    # the start of a message's first part.
    return worth_reading_body(raw[len(_header_block(raw)) :])


def worth_reading_body(body: bytes) -> bool:
    """The pre-filter on (the start of) a body: a forward or an attached mail under any subject,
    Microsoft's name anywhere the text is not encoded, or a one-time code's shape in any language
    or charset (six to eight digits, or two groups of three)."""
    # The hints and a code's name in one pass of the automaton (Latin-1: a character per byte).
    hint, named = _BODY_WORDS.found(body.lower().decode("latin-1"))
    # A code's shape counts only beside a code's name: order and phone numbers are everywhere.
    return hint or (named and _CODE_SHAPE.search(body) is not None)


def analyse(msg: Message, depth: int, receiver: Receiver = NOBODY, raw: bytes | None = None) -> Finding:
    """One parsed message; `raw` (its bytes, for our own signature checks) only at the top."""
    subject = message.header_text(msg, "Subject")
    display, address = message.address(msg, "From")
    domain = message.domain_of(address)
    results = auth.receiver_results(msg, receiver)
    body = message.read_body(msg)
    finding = Finding(
        sent_at=message_time(msg),
        sender_auth=auth.verdict(results, domain),
        error="; ".join(filter(None, [message.defects(msg), *body.cut])) or None,
        message_id=_message_id(msg),
        subject=subject[:300],
        sender=_shown_sender(msg),
        recipient=message.recipient(msg) or None,
        verdict_writers=list(results.writers),
    )
    finding.vouched_by = texts.VOUCHED_RECEIVER if finding.sender_auth == "pass" else None
    if raw is not None and receiver.keys is not None:
        _check_ourselves(finding, msg, raw, domain, receiver)
    if receiver.junk and finding.sender_auth in _UNCHECKED and auth.top_says_dmarc_fail(msg):
        finding.sender_auth = "fail"
        finding.reasons.append(texts.JUNK_DMARC_FAIL)
    if depth < _MAX_DEPTH:
        for inner in body.attached:
            budget.check()
            carried = analyse(inner, depth + 1)
            if carried.category in ("ms_code", "ms_alert", "phishing", "unverified"):
                if carried.category == "unverified":  # the person who passed it on vouches for it
                    carried.category = "ms_code"
                carried.forwarded = True
                carried.reasons.append(_by(texts.ATTACHED_BY, texts.ATTACHED_BY_UNKNOWN, address))
                carried.error = carried.error or finding.error
                carried.message_id, carried.subject = finding.message_id, finding.subject
                carried.recipient = finding.recipient  # where it was delivered: the forward's mailbox
                return carried
    tz = offset_of(msg)
    budget.check()
    forwards = split_forwards(body.text)
    if forwards and _read_forwards(finding, forwards, tz, address):
        return finding
    lure = devicecode.lure(body.text, body.links)
    if lure:
        finding.category, finding.provider, finding.template = "phishing", "microsoft", devicecode.TEMPLATE
        finding.language = language.guess(body.text)
        finding.reasons.append(lure)
        return finding
    relay = lists.relayed_original(msg, display)
    if relay and not is_microsoft_domain(domain) and is_microsoft_domain(message.domain_of(relay[1])):
        # A list or group relaying Microsoft's mail under its own From: judged as the original.
        relayed_by = message.header_text(msg, "List-Id")[:80] or address
        display, address = relay
        domain = message.domain_of(address)
        carried = lists.lists_verdict(msg, results)
        finding.sender_auth = auth.verdict(carried, domain) if carried else "unknown"
        if finding.sender_auth == "pass":
            finding.vouched_by = texts.VOUCHED_LIST
        finding.reasons.append(texts.RELAYED_BY_LIST.format(list=relayed_by))
    _, reply_to = message.address(msg, "Reply-To")
    sender = Sender(
        display=display,
        address=address,
        domain=domain,
        auth=finding.sender_auth,
        reply_to=reply_to,
        replayed_microsoft_signature=_replayed(results, msg, domain),
        links=body.links,
        conversation=_conversation(msg, address),
    )
    budget.check()
    content = None
    if _speaks_for_microsoft(subject, body.text, display, domain):
        content = microsoft.read(subject, body.text, address, tz)
    if content is None and _security_sender(domain, address) and finding.sender_auth == "pass":
        # Genuine by authentication, in wording the lexicon does not know: read it by its structure.
        hint = language.declared(body.lang, message.header_text(msg, "Content-Language"))
        content = microsoft.read_by_structure(
            subject, body.text, address, hint or language.guess(body.text), body.standalone
        )
    if content is not None and _forwards_microsoft(subject, body.text, display, domain):
        # A person passing Microsoft's mail on, in a layout whose header block could not be read:
        # their own domain is no impostor; the original cannot be verified.
        sender.quoting, sender.auth = True, "unknown"
        finding.forwarded, finding.sender_auth = True, "unknown"
    if _judge(finding, sender, content, subject, body.text):
        if sender.quoting and finding.category != "phishing":
            finding.reasons.append(_by(texts.FORWARDED_BY, texts.FORWARDED_BY_UNKNOWN, address))
        return finding
    budget.check()
    codes = other.read_codes(subject, body.text)
    if codes:
        finding.category = "other_code"
        finding.provider = other.provider_of(domain)
        finding.template = other.template_of(finding.provider, subject, body.text)
        finding.codes = codes
        finding.language = language.guess(body.text)
        finding.reasons.append(texts.OTHER_CODE.format(provider=finding.provider))
    return finding


def _check_ourselves(finding: Finding, msg: Message, raw: bytes, domain: str, receiver: Receiver) -> None:
    """Where the receiver's verdict is not a pass: a valid DKIM signature of Microsoft's aligned
    with From is one whatever the receiver wrote; an ARC set sealed by the mailbox's own
    organisation is that organisation's verdict. Asked only for mail from a Microsoft domain, so
    everyday mail costs no key lookup."""
    if finding.sender_auth == "pass" or not is_microsoft_domain(domain):
        return
    budget.check()
    signer = signatures.aligned_signer(raw, domain, receiver.keys)
    if signer:
        finding.sender_auth = "pass"
        finding.vouched_by = texts.VOUCHED_DKIM.format(signer=signer)
        return
    if finding.sender_auth in _UNCHECKED and receiver.organisation and msg.get("ARC-Seal") is not None:
        sealed = signatures.sealed_verdict(raw, receiver.owns, receiver.keys)
        if sealed is not None and auth.verdict(sealed, domain) == "pass":
            finding.sender_auth = "pass"
            finding.vouched_by = texts.VOUCHED_SEAL


def _judge(finding: Finding, sender: Sender, content, subject: str, text: str) -> bool:
    """Fill finding for Microsoft content or impersonation; False when neither applies."""
    if content and content.template != "entra_email_verification" and ordinary_microsoft_mail(sender):
        content = None  # Microsoft's own service mail: neither a code nor an alert
    strong, weak = tells(sender, content, subject, text)
    if content and quotes_microsoft(sender, strong):
        finding.reasons.append(texts.QUOTES_MICROSOFT)
        return True  # nothing to record: neither Microsoft's mail nor an impostor's
    if not strong:
        abused = service_lure(sender, subject)
        strong = [abused] if abused else []
    if content:
        finding.template, finding.language = content.template, content.language
        finding.codes, finding.account_hint, finding.signin = content.codes, content.account_hint, content.signin
    if strong:
        finding.category, finding.provider = "phishing", "microsoft"
        finding.language = finding.language or language.guess(text)
        finding.reasons.extend(strong + weak)
        return True
    if not content:
        return False
    finding.provider = "microsoft"
    finding.category = "ms_code" if content.kind == "code" else "ms_alert"
    shown = {"template": content.template, "language": content.language}
    finding.reasons.append(_by(texts.MICROSOFT_TEMPLATE, texts.MICROSOFT_TEMPLATE_UNKNOWN, sender.address, **shown))
    finding.reasons.append(_auth_reason(finding.sender_auth, finding.forwarded, finding.vouched_by))
    if finding.category == "ms_code" and not finding.forwarded and finding.sender_auth in _UNCHECKED:
        # Anyone can copy Microsoft's template and From address; only the receiver's verdict tells.
        finding.category = "unverified"
        finding.reasons.append(texts.UNVERIFIED_CODE)
    return True


# No verdict at all, or the receiver checked nothing for this sender's domain.
_UNCHECKED = ("unknown", "none")


def _read_forwards(finding: Finding, forwards: list[Forward], tz, forwarder: str) -> bool:
    """Microsoft mail forwarded inline: judged as the original, whose headers are gone."""
    found: list[tuple[datetime | None, Finding]] = []
    for fwd in forwards:
        text = fwd.body
        if not _speaks_for_microsoft(fwd.subject, text, fwd.display, message.domain_of(fwd.address)):
            continue
        content = microsoft.read(fwd.subject, text, fwd.address, tz)
        part = Finding(sender_auth="unknown", forwarded=True)
        sender = Sender(
            display=fwd.display,
            address=fwd.address,
            domain=message.domain_of(fwd.address),
            auth="unknown",
            links=message.find_urls(text),
        )
        if _judge(part, sender, content, fwd.subject, text):
            day_first = (part.language or "en") != "en"
            found.append((loose_date(fwd.date_text, tz, day_first) if fwd.date_text else None, part))
    if not found:
        return False
    if all(when for when, _ in found):
        found.sort(key=lambda item: item[0], reverse=True)
    # A forwarded lure outranks a genuine code beside it; otherwise the newest mail leads.
    when, lead = next(((w, p) for w, p in found if p.category == "phishing"), found[0])
    for field in ("category", "provider", "template", "language", "account_hint", "signin"):
        setattr(finding, field, getattr(lead, field))
    finding.codes = list(dict.fromkeys(code for _, part in found for code in part.codes))
    finding.sent_at = when or finding.sent_at
    finding.sender_auth = "unknown"
    finding.forwarded = True
    finding.reasons = lead.reasons + [_by(texts.FORWARDED_INLINE_BY, texts.FORWARDED_INLINE_BY_UNKNOWN, forwarder)]
    return True


def _forwards_microsoft(subject: str, text: str, display: str, domain: str) -> bool:
    """Microsoft wording quoted by someone who claims nothing: not Microsoft's, no lookalike domain,
    no Microsoft in the display name, and the mail announces a forward or quotes one."""
    if is_microsoft_domain(domain) or lookalike_reason(domain) or claims_microsoft(display):
        return False
    return quotes_a_mail(bool(_FORWARD_PREFIX.search(subject)), text)


_REPLY_PREFIX = re.compile(r"^\s*(?:re|aw|sv|vs|odp|rif|res|antw|ynt)\s*:", re.I)


def _conversation(msg: Message, address: str) -> bool:
    """A reply (In-Reply-To and a reply prefix), a list's mail (List-Id), or a note to oneself
    (From among its own recipients)."""
    if msg.get("List-Id") is not None:
        return True
    if msg.get("In-Reply-To") is not None and _REPLY_PREFIX.match(message.header_text(msg, "Subject")):
        return True
    recipients = {message.address(msg, name)[1] for name in ("To", "Cc")}
    return bool(address) and address in recipients


def _security_sender(domain: str, address: str) -> bool:
    return domain in MSA_SECURITY_SENDERS or address in ENTRA_SENDERS


def _speaks_for_microsoft(subject: str, text: str, display: str, domain: str) -> bool:
    """Whether Microsoft account wording in this mail would be Microsoft's voice (or a claim to it)."""
    return bool(
        is_microsoft_domain(domain)
        or lookalike_reason(domain)
        or claims_microsoft(display)
        or _MS_ACCOUNT.search(subject)
        or _names_a_microsoft_account(text.lower())
    )


def _names_a_microsoft_account(low: str) -> bool:
    needles = _MS_ACCOUNT_ASCII_NEEDLES if low.isascii() else _MS_ACCOUNT_NEEDLES
    return any(needle in low for needle in needles) and _MS_ACCOUNT_LOWER.search(low) is not None


def _replayed(results: auth.AuthResults, msg: Message, from_domain: str) -> bool:
    """Microsoft's own signature or pipeline headers on mail whose From is not Microsoft's."""
    if is_microsoft_domain(from_domain):
        return False
    signed = auth.signed_by(results)
    pipeline = msg.get("X-MSAPipeline") is not None
    return "microsoft.com" in signed or (pipeline and registrable(from_domain) not in signed)


def _by(named: str, unknown: str, sender: str, /, **values) -> str:
    """A reason naming who sent or passed the mail on: its own wording when nobody is named."""
    return named.format(sender=sender, **values) if sender else unknown.format(**values)


def _auth_reason(sender_auth: str, forwarded: bool, vouched_by: str | None = None) -> str:
    if sender_auth == "pass":
        voucher = vouched_by or texts.VOUCHED_RECEIVER
        for said, template in texts.VERIFIED_BY.items():
            values = texts.match(said, voucher)
            if values is not None:
                return template.format(**values)
        return texts.VERIFIED_BY_OTHER.format(voucher=voucher)
    if forwarded or sender_auth == "unknown":
        return texts.NOT_VERIFIABLE
    return texts.AUTHENTICATION.format(result=sender_auth)


def _message_id(msg: Message) -> str | None:
    value = msg.get("Message-ID")
    return " ".join(str(value).split())[:300] or None if value else None


__all__ = ["detect", "analyse", "worth_reading_headers", "worth_reading_many"]
