"""Turning raw message bytes into what the detector reads: decoded headers, text, links, defects.

Everything here tolerates broken input: wrong charsets, split encoded words, truncated parts.
"""

from __future__ import annotations

import itertools
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

from . import budget

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
_URL = re.compile(r"""\b(?:https?://|www\.)[^\s<>"')\]]+""", re.I)
# Any white space but the line break (form feeds, line separators and the like included), and
# zero-width spaces: one space each, so no later pattern ever meets a long run of white space.
_SPACES = re.compile(r"(?:[^\S\n]|[\u200b\ufeff])+")
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
    return _PARSER.parsebytes(raw)


def parse_headers_only(raw: bytes) -> Message:
    return _PARSER.parsebytes(raw, headersonly=True)


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
    value = value.replace("\r", " ").replace("\n", " ").replace("\t", " ")
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
    text = unicodedata.normalize("NFKC", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(lines)


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
            if tag in _STANDALONE and len(standalone) < _MAX_STANDALONE:
                text = _short_text(element)
                if text:
                    standalone.append(text)
            if tag in _OPEN_BREAK:
                out.append("\n")
            out.append(element.text or "")
        else:
            if tag in _CLOSE_BREAK:
                out.append("\n")
            elif tag in _CELLS:
                out.append(" ")  # neighbouring cells are separate words, as a mail client shows them
            out.append(element.tail or "")
    return HtmlText("".join(out), links, str(root.get("lang") or "")[:20], standalone)


def _short_text(element) -> str:
    """The whole text of a cell or an emphasis, if it is short: a code set apart in its own cell or
    in bold. Reads at most a few text nodes, so nested tables cost no more than flat ones."""
    pieces: list[str] = []
    for count, piece in enumerate(element.itertext()):
        pieces.append(piece)
        if count >= 8 or sum(map(len, pieces)) > 40:
            return ""
    return " ".join("".join(pieces).split())


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
    return _URL.findall(text)


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
                self.attached.append(inner)
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
            self.attached.append(parse(data[:ATTACHED_FILE_LIMIT]))

    def note(self, text: str) -> None:
        if text not in self.cut:
            self.cut.append(text)


def defects(msg: Message) -> str | None:
    found: list[str] = []
    for part in itertools.islice(msg.walk(), MAX_PARTS):
        for defect in getattr(part, "defects", ()):
            text = _DEFECT_TEXT.get(type(defect).__name__)
            if text and text not in found:
                found.append(text)
    return "; ".join(found) or None
