"""Turning raw message bytes into what the detector reads: decoded headers, text, links, defects.

Everything here tolerates broken input: wrong charsets, split encoded words, truncated parts.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.utils import parseaddr

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
_BLOCK_TAG = re.compile(r"<\s*(?:br|/p|/div|/tr|/li|/h[1-6]|/table|/blockquote|p|div|tr|li|hr)\b[^>]*>", re.I)
_DROP_BLOCK = re.compile(r"<(style|script|head|title)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]{0,2000}>")
_HREF = re.compile(r"""\bhref\s*=\s*["']?\s*([^"'\s>]+)""", re.I)
_URL = re.compile(r"""\b(?:https?://|www\.)[^\s<>"')\]]+""", re.I)
_SPACES = re.compile(r"[ \t\u00a0\u200b]+")
_ANGLE_ADDR = re.compile(r"<\s*([^<>@\s]+@[^<>\s]+?)\s*>")


@dataclass
class Body:
    text: str = ""  # normalised: NFKC, one space between words, lines stripped
    html: str = ""  # raw HTML source, for links
    links: list[str] = field(default_factory=list)
    attached: list[Message] = field(default_factory=list)  # message/rfc822 parts


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
    raw = _clean(str(value))
    matches = list(_ANGLE_ADDR.finditer(raw))
    if matches:
        match = matches[-1]
        display = raw[: match.start()]
        addr = match.group(1)
    else:
        display, addr = parseaddr(raw)
    display = decode_header_value(display).strip(" \"',_")
    return display, addr.strip().lower()


def domain_of(addr: str) -> str:
    return addr.rpartition("@")[2].strip(" .>").lower() if "@" in addr else ""


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(lines)


def html_to_text(source: str) -> str:
    source = _DROP_BLOCK.sub(" ", source)
    source = _BLOCK_TAG.sub("\n", source)
    source = _TAG.sub("", source)
    return html.unescape(source)


def read_body(msg: Message) -> Body:
    body = Body()
    plain: list[str] = []
    htmls: list[str] = []
    _collect(msg, plain, htmls, body.attached, depth=0)
    body.html = "\n".join(htmls)
    if any(p.strip() for p in plain):
        text = "\n".join(plain)
    else:
        text = html_to_text(body.html)
    body.text = normalise(text)
    links = find_urls(text)
    links += [html.unescape(link) for link in _HREF.findall(body.html)]
    body.links = links
    return body


def find_urls(text: str) -> list[str]:
    return _URL.findall(text)


def _collect(part: Message, plain: list, htmls: list, attached: list, depth: int) -> None:
    if depth > 20:
        return
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, Message):
            attached.append(inner)
        return
    if part.is_multipart():
        payload = part.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, Message):
                    _collect(sub, plain, htmls, attached, depth + 1)
        return
    if ctype not in ("text/plain", "text/html"):
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
    text = decode_bytes(data, part.get_content_charset())
    (plain if ctype == "text/plain" else htmls).append(text)


def defects(msg: Message) -> str | None:
    found: list[str] = []
    for part in msg.walk():
        for defect in getattr(part, "defects", ()):
            text = _DEFECT_TEXT.get(type(defect).__name__)
            if text and text not in found:
                found.append(text)
    return "; ".join(found) or None
