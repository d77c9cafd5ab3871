"""Turning raw message bytes into what the detector reads: decoded headers, text, links, defects.

Everything here tolerates broken input: wrong charsets, split encoded words, truncated parts.
"""

from __future__ import annotations

import base64
import itertools
import quopri
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.utils import parseaddr

import lxml.etree
import lxml.html

from . import budget, reason_texts

_PARSER = BytesParser(policy=policy.compat32)

# Single-byte charsets that mail clients declare wrongly for UTF-8 bodies; see edge corpus.
_LATIN_CHARSETS = {"", "us-ascii", "ascii", "iso-8859-1", "latin1", "latin-1", "iso-8859-15", "windows-1252", "cp1252"}
_DEFECT_TEXT = {
    "CloseBoundaryNotFoundDefect": "a MIME part is truncated (closing boundary missing)",
    "StartBoundaryNotFoundDefect": "a multipart body has no start boundary",
    "MultipartInvariantViolationDefect": "a multipart body has no parts",
    "InvalidBase64PaddingDefect": "a base64 part has bad padding",
    "InvalidBase64CharactersDefect": "a base64 part has invalid characters",
    "InvalidBase64LengthDefect": "a base64 part has an invalid length",
    "MissingHeaderBodySeparatorDefect": "the header block has no proper end",
}
# HTML is read by libxml2 (through lxml): linear in its input whatever the markup, with a nesting
# limit instead of deep recursion. Python's html.parser is quadratic on runs of unclosed "<", and
# HTML5 tree builders (lexbor, html5lib) on deep nesting; measured in tests/test_detect_hostile.py.
_PARSERS = threading.local()  # an lxml parser must not be shared between threads (the watcher has many)
# Elements whose start or end breaks a line of text, as a mail client shows it.
_OPEN_BREAK = frozenset({"br", "p", "div", "tr", "li", "hr"})
_CLOSE_BREAK = frozenset({"p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote"})
_HIDDEN = frozenset({"style", "script", "head", "title"})
_CELLS = frozenset({"td", "th"})
# Elements that set a short text apart (a code in its own cell, or in bold).
_STANDALONE = frozenset({"td", "th", "b", "strong", "em", "span", "font"})
_MAX_STANDALONE = 200
_DIGITS = frozenset("0123456789")
# No leading \b: a pattern that starts with its literal alternatives lets `re` skip ahead to their
# first letters (3x faster on long text); the boundary is checked on each hit instead.
_URL = re.compile(r"""(?:https?://|www\.)[^\s<>"')\]]+""", re.I)
_URL_LOWER = re.compile(_URL.pattern)
# Any white space but the line break (form feeds, line separators and the like included), and
# zero-width spaces: one space each, so no later pattern ever meets a long run of white space.
_SPACES = re.compile(r"(?:[^\S\n]|[\u200b\ufeff])+")
_ZERO_WIDTH = str.maketrans({"\u200b": " ", "\ufeff": " "})
# Bidirectional controls (the marks LRM, RLM and ALM, the embeddings and overrides, the isolates):
# invisible, they only steer how right-to-left text is shown, and one before an address or inside
# a word would otherwise stick to it ("\u200fla**d@haddad.example"). Removed, not made spaces.
BIDI_CONTROLS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_NO_BIDI = str.maketrans(dict.fromkeys(BIDI_CONTROLS))
# A byte-order mark some tools write before a saved message: not part of its first header line.
_BOM = b"\xef\xbb\xbf"
# An address in text. The local part starts where a run of its characters starts and is at most
# 64 long (RFC 5321), so a long run of letters with no "@" costs one pass, not one pass per letter.
EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]{1,64}@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.I)
# Caps on what one message may feed the patterns: far above any genuine mail, far below harm.
HEADER_VALUE_LIMIT = 16 * 1024
PART_TEXT_LIMIT = 256 * 1024
BODY_TEXT_LIMIT = 256 * 1024
MAX_PARTS = 1000
ATTACHED_FILE_LIMIT = 2 * 1024 * 1024
MAX_PART_DEPTH = 20
# Caps on a message before the stdlib parser sees it (whole, or attached and encoded): genuine mail
# has a handful of parts, crafted mail tens of thousands.
MAX_MULTIPARTS = 100
MAX_DELIMITERS = 5000
ATTACHED_TOO_COMPLEX = (
    f"an attached mail has more than {MAX_MULTIPARTS} multipart sections or "
    f"{MAX_DELIMITERS} part delimiters; it was not read"
)
PARTS_CUT = f"it has more than {MAX_PARTS} parts or parts nested deeper than {MAX_PART_DEPTH}; the rest were not read"
TEXT_CUT = f"only the first {BODY_TEXT_LIMIT // 1024} KiB of its text were read"
_ANGLE_ADDR = re.compile(r"<\s*([^<>@\s]+@[^<>\s]+?)\s*>")


@dataclass
class Body:
    text: str = ""  # normalised: NFKC, one space between words, lines stripped
    html: str = ""  # raw HTML source, for links
    links: list[str] = field(default_factory=list)
    attached: list[Message] = field(default_factory=list)  # message/rfc822 parts
    cut: list[str] = field(default_factory=list)  # what was left unread, in words
    lang: str = ""  # the HTML's declared language (<html lang>), if any
    standalone: list[str] = field(default_factory=list)  # short texts in their own cell or emphasis


def parse(raw: bytes) -> Message:
    return _PARSER.parsebytes(without_bom(raw))


def parse_headers_only(raw: bytes) -> Message:
    return _PARSER.parsebytes(without_bom(raw), headersonly=True)


def without_bom(raw: bytes) -> bytes:
    """The message without a UTF-8 byte-order mark before its headers (a file saved by an editor or
    an export tool): left in, it would make the first header's name unreadable."""
    return raw[len(_BOM) :] if raw.startswith(_BOM) else raw


def decode_bytes(data: bytes, charset: str | None) -> str:
    cs = (charset or "").strip().strip('"').lower()
    if cs in _LATIN_CHARSETS:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")
    try:
        return data.decode(cs, errors="replace")
    except (LookupError, ValueError):
        return data.decode("utf-8", errors="replace")


def header_text(msg: Message, name: str) -> str:
    """Decoded header value; adjacent encoded words are joined as bytes before decoding,
    so a multibyte character split across two words survives (a common RFC 2047 violation)."""
    value = msg.get(name)
    if value is None:
        return ""
    return decode_header_value(str(value))


def decode_header_value(value: str) -> str:
    value = value[:HEADER_VALUE_LIMIT]  # the stdlib's encoded-word pattern is quadratic on crafted runs
    try:
        chunks = decode_header(value)
    except Exception:
        return _clean(value)
    out = []
    for data, charset in chunks:
        if isinstance(data, str):
            out.append(data)
        else:
            out.append(decode_bytes(data, charset or "utf-8"))
    return _clean("".join(out))


def _clean(value: str) -> str:
    value = value.replace("\r", " ").replace("\n", " ").replace("\t", " ").translate(_NO_BIDI)
    return _SPACES.sub(" ", value).strip()


def address(msg: Message, name: str) -> tuple[str, str]:
    """(display name, lower-case address) of an address header; the angle address wins over
    whatever precedes it, so `"Microsoft account team", _ <x@evil>` still yields x@evil."""
    value = msg.get(name)
    if value is None:
        return "", ""
    raw = _clean(str(value)[:HEADER_VALUE_LIMIT])
    matches = list(_ANGLE_ADDR.finditer(raw))
    if matches:
        match = matches[-1]
        display = raw[: match.start()]
        addr = match.group(1)
    else:
        display, addr = parseaddr(raw)
    display = decode_header_value(display).strip(" \"',_")
    return display, addr.strip().lower()


# Who a mail was delivered to, most trustworthy first: Delivered-To and X-Original-To are written
# by the receiving server (the top-most one last, so msg.get's first is the final delivery);
# To is the sender's word and may be a list or a hidden copy.
_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To")


def recipient(msg: Message) -> str:
    """The address this mailbox received the message at, lower-case, or "" when none is named."""
    for name in _RECIPIENT_HEADERS:
        _, addr = address(msg, name)
        if "@" in addr and len(addr) <= 254 and not any(ch.isspace() for ch in addr):
            return addr
    return ""


def domain_of(addr: str) -> str:
    return addr.rpartition("@")[2].strip(" .>").lower() if "@" in addr else ""


def normalise(text: str) -> str:
    """NFKC, line breaks as \\n, every other run of white space (and zero-width spaces) one space, none
    at a line's ends. str.split() splits at exactly the white space `\\s` names, in C: five times faster
    than a substitution per run on a long mail (tests/test_mail_text.py holds it to the pattern)."""
    text = unicodedata.normalize("NFKC", text.replace("\r\n", "\n").replace("\r", "\n").translate(_NO_BIDI))
    return "\n".join(" ".join(line.split()) for line in text.translate(_ZERO_WIDTH).split("\n"))


def _html_parser() -> lxml.html.HTMLParser:
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = lxml.html.HTMLParser(
            encoding="utf-8", recover=True, no_network=True, remove_comments=True, remove_pis=True, huge_tree=False
        )
    return parser


@dataclass
class HtmlText:
    text: str
    links: list[str]
    lang: str  # the document's declared language (<html lang>)
    standalone: list[str]  # short texts set apart in their own cell or emphasis


def read_html(source: str) -> HtmlText:
    """The text a mail client would show (hidden elements dropped, a line break where a block
    starts or ends), the link targets and the document's declared language, from attacker-written HTML."""
    data = source.replace("\x00", "").encode("utf-8", "surrogatepass")
    if not data.strip():
        return HtmlText("", [], "", [])
    try:
        root = lxml.html.document_fromstring(data, parser=_html_parser())
    except (lxml.etree.ParserError, ValueError):
        return HtmlText("", [], "", [])
    out: list[str] = []
    links: list[str] = []
    standalone: list[str] = []
    cells: list[str] = []  # per open cell: "digit" (one digit alone), "empty" (a spacer) or "other"
    # Where the space after the last one-digit cell sits in out, while only white space and spacer
    # cells follow it in the same row: a code drawn one digit per cell ("7|3|0|9|1|4") reads as the
    # code it shows.
    joinable: int | None = None
    walk = lxml.etree.iterwalk(root, events=("start", "end"))
    for event, element in walk:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            budget.check()
            if tag in _HIDDEN:
                walk.skip_subtree()
                out.append(element.tail or "")  # the end event of a skipped element never comes
                continue
            href = element.get("href")
            if href:
                links.append(href.strip())
            text: str | None = None
            if tag in _CELLS or (tag in _STANDALONE and len(standalone) < _MAX_STANDALONE):
                text = _short_text(element)  # None: too long to be set apart
                if text and len(standalone) < _MAX_STANDALONE:
                    standalone.append(text)
            if tag in _CELLS:
                kind = "empty" if text == "" else "digit" if text and len(text) == 1 and text in _DIGITS else "other"
                cells.append(kind)
                if kind == "digit" and joinable is not None and not "".join(out[joinable + 1 :]).strip():
                    del out[joinable:]
                if kind != "empty":
                    joinable = None
            if tag in _OPEN_BREAK:
                out.append("\n")
                joinable = None
            out.append(element.text or "")
        else:
            if tag in _CLOSE_BREAK:
                out.append("\n")
                joinable = None
            elif tag in _CELLS:
                out.append(" ")  # neighbouring cells are separate words, as a mail client shows them
                if cells and cells.pop() == "digit":
                    joinable = len(out) - 1
            out.append(element.tail or "")
    return HtmlText("".join(out), links, str(root.get("lang") or "")[:20], standalone)


def _short_text(element) -> str | None:
    """The whole text of a cell or an emphasis if it is short (a code set apart in its own cell or in
    bold), "" if it has none, None if it is longer. Reads at most a few text nodes, so nested tables
    cost no more than flat ones."""
    pieces: list[str] = []
    for count, piece in enumerate(element.itertext()):
        pieces.append(piece)
        if count >= 8 or sum(map(len, pieces)) > 40:
            return None
    return " ".join("".join(pieces).translate(_NO_BIDI).split())


def read_body(msg: Message) -> Body:
    body = Body()
    reader = _PartReader(body.attached)
    reader.collect(msg, depth=0)
    html_text = "\n".join(reader.htmls)
    plain_text = "\n".join(reader.plain)
    if len(html_text) > BODY_TEXT_LIMIT or len(plain_text) > BODY_TEXT_LIMIT:
        reader.note(TEXT_CUT)
    body.cut = reader.cut
    body.html = html_text[:BODY_TEXT_LIMIT]
    shown = read_html(body.html) if body.html else HtmlText("", [], "", [])
    body.lang, body.standalone = shown.lang, shown.standalone
    text = plain_text if plain_text.strip() else shown.text
    text = text[:BODY_TEXT_LIMIT]
    body.text = normalise(text)
    budget.check()
    body.links = find_urls(text) + shown.links
    return body


def find_urls(text: str) -> list[str]:
    # Case-sensitive over the lower-cased text (re.I doubles the cost of the scan), cut from the text
    # itself; when lower-casing changed the length, the case-insensitive pattern reads the text.
    low = text.lower()
    if len(low) != len(text):
        return [
            text[m.start() : m.end()]
            for m in _URL.finditer(text)
            if m.start() == 0 or not _is_word(text[m.start() - 1])
        ]
    # Every link starts with "http" or "www.": str's search finds those places at memory speed, and
    # the pattern is tried only there, in order, as finditer would (its matches never overlap).
    links, reached = [], 0
    for at in sorted(_places(low, "http") + _places(low, "www.")):
        if at < reached:
            continue
        match = _URL_LOWER.match(low, at)
        if match is None:
            continue
        reached = match.end()
        if at == 0 or not _is_word(text[at - 1]):
            links.append(text[at:reached])
    return links


def _places(text: str, needle: str) -> list[int]:
    found, at = [], text.find(needle)
    while at != -1:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


class _PartReader:
    """Walks the MIME tree for text parts and attached messages, within the caps above."""

    def __init__(self, attached: list):
        self.plain: list[str] = []
        self.htmls: list[str] = []
        self.attached = attached
        self.parts = 0
        self.cut: list[str] = []

    def collect(self, part: Message, depth: int) -> None:
        budget.check()
        self.parts += 1
        if depth > MAX_PART_DEPTH or self.parts > MAX_PARTS:
            self.note(PARTS_CUT)
            return
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message):
                decoded = _decoded_message(part, inner)
                if decoded is None:
                    self.note(ATTACHED_TOO_COMPLEX)
                else:
                    self.attached.append(decoded)
            return
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                for sub in payload:
                    if isinstance(sub, Message):
                        self.collect(sub, depth + 1)
            return
        if ctype not in ("text/plain", "text/html"):
            self._attached_file(part)
            return
        disposition = str(part.get("Content-Disposition") or "").lower()
        if disposition.startswith("attachment") and depth > 0 and ctype == "text/html":
            return
        try:
            data = part.get_payload(decode=True)
        except Exception:
            data = None
        if not isinstance(data, bytes):
            return
        text = decode_bytes(data[: PART_TEXT_LIMIT * 4], part.get_content_charset())
        if len(text) > PART_TEXT_LIMIT:
            self.note(TEXT_CUT)
        (self.plain if ctype == "text/plain" else self.htmls).append(text[:PART_TEXT_LIMIT])

    def _attached_file(self, part: Message) -> None:
        """A mail attached as a file (a client that sends .eml as application/octet-stream): read it
        as the attached message it is."""
        name = str(part.get_filename() or "").lower()
        if not name.endswith(".eml"):
            return
        try:
            data = part.get_payload(decode=True)
        except Exception:
            return
        if isinstance(data, bytes) and data.strip():
            data = data[:ATTACHED_FILE_LIMIT]
            if simple_enough(data):
                self.attached.append(parse(data))
            else:
                self.note(ATTACHED_TOO_COMPLEX)

    def note(self, text: str) -> None:
        if text not in self.cut:
            self.cut.append(text)


def too_complex(data: bytes) -> str | None:
    """A cheap look before the stdlib parser, whose cost grows with the number of MIME parts (it
    recurses once per nesting level) and cannot be interrupted: why not to parse it (a reason), or None."""
    sections = data.count(b"multipart/") + data.count(b"Multipart/") + data.count(b"MULTIPART/")
    if sections > MAX_MULTIPARTS:
        return reason_texts.TOO_MANY_MULTIPARTS.format(limit=MAX_MULTIPARTS)
    if data.count(b"\n--") > MAX_DELIMITERS:
        return reason_texts.TOO_MANY_DELIMITERS.format(limit=MAX_DELIMITERS)
    return None


def simple_enough(data: bytes) -> bool:
    """Whether an attached mail that arrived encoded (which the whole message's look before the
    parser saw only as its encoding) may be parsed."""
    return too_complex(data) is None


def _decoded_message(part: Message, inner: Message) -> Message | None:
    """The mail attached in a message/rfc822 part. RFC 2046 allows it no transfer encoding but 7bit,
    8bit or binary, yet some clients send it in base64 or quoted-printable: the parser then reads the
    encoded text as a message of its own (base64 as a body with no headers), so it is decoded here
    and read again. Anything that cannot be decoded stays as the parser read it; None when the
    decoded mail is too complex to parse."""
    encoding = str(part.get("Content-Transfer-Encoding") or "").strip().lower()
    if encoding not in ("base64", "quoted-printable") or inner.is_multipart():
        return inner
    text = inner.get_payload()
    if not isinstance(text, str):
        return inner
    try:
        if encoding == "base64":
            if inner.keys():  # base64 text has no colon: whatever parsed as a header is a mail, not base64
                return inner
            data = base64.b64decode(text[: ATTACHED_FILE_LIMIT * 2].encode("ascii", "surrogateescape"))
        else:
            data = quopri.decodestring(_source_of(inner, text)[: ATTACHED_FILE_LIMIT * 2])
    except Exception:
        return inner
    if not data.strip():
        return inner
    if not simple_enough(data[:ATTACHED_FILE_LIMIT]):
        return None
    decoded = parse(data[:ATTACHED_FILE_LIMIT])
    part.set_payload([decoded])  # the tree holds the mail as read: its defects are its own, not the encoding's
    return decoded


def _source_of(inner: Message, body: str) -> bytes:
    """The bytes the parser read `inner` from, as near as compat32 keeps them: its header lines as
    written, then its body, with the blank line between them only if the source had one (a
    quoted-printable soft line break inside a header ends the header block where it should not)."""
    head = "".join(f"{name}: {value}\n" for name, value in inner.items())
    separated = not any(type(d).__name__ == "MissingHeaderBodySeparatorDefect" for d in inner.defects)
    return (head + ("\n" if separated else "") + body).encode("ascii", "surrogateescape")


def defects(msg: Message) -> str | None:
    found: list[str] = []
    for part in itertools.islice(msg.walk(), MAX_PARTS):
        for defect in getattr(part, "defects", ()):
            text = _DEFECT_TEXT.get(type(defect).__name__)
            if text and text not in found:
                found.append(text)
    return "; ".join(found) or None
