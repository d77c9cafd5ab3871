"""Read a folder without changing it: EXAMINE, UID SEARCH, FETCH BODY.PEEK. Nothing else is sent.

The reader moves bytes and UIDs; it knows nothing of detection or storage.
"""

from __future__ import annotations

import imaplib
import itertools
import re
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from imapclient.imapclient import JUNK

from .errors import MailboxError, describe
from .pinned import uid_command

# The header fields the detector's pre-filter reads (detect.worth_reading_many).
HEADER_FIELDS = "FROM SENDER REPLY-TO SUBJECT"
# Capped like every other fetch: genuine fields are a few hundred bytes; a crafted mail could repeat
# them for megabytes, and this is fetched for a thousand messages at a time.
HEADER_FIELDS_LIMIT = 16 * 1024
HEADER_LIMIT = 1024 * 1024
HEADER_ITEM = f"BODY.PEEK[HEADER.FIELDS ({HEADER_FIELDS})]<0.{HEADER_FIELDS_LIMIT}>"
SNIPPET_LIMIT = 2048
# Everything the pre-filter reads, for a thousand messages at a time.
PREFILTER_ITEMS = f"(RFC822.SIZE BODYSTRUCTURE {HEADER_ITEM} BODY.PEEK[1]<0.{SNIPPET_LIMIT}>)"
_MESSAGE_START = re.compile(rb"^\d+ \(")
_SECTION_HEADER = re.compile(rb"BODY\[HEADER\.FIELDS [^\]]*\](?:<\d+>)? \{\d+\}$")
_SECTION_SNIPPET = re.compile(rb"BODY\[1\](?:<\d+>)? \{\d+\}$")
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
# RFC 3501 month names for SINCE, whatever the locale's %b would say.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# A candidate up to this size is fetched whole, in one round trip (code mails are a few dozen KiB).
# A larger one is read by its structure: its header, and only its text and attached-message parts,
# each up to PART_LIMIT, so a 30 MB attachment before the text costs nothing and hides nothing.
WHOLE_LIMIT = 256 * 1024
PART_LIMIT = 2 * 1024 * 1024
MAX_PARTS = 20  # text and attached-message parts read from one message
BODY_LIMIT = PART_LIMIT  # a large message whose structure cannot be read is read only this far


@dataclass(frozen=True)
class FolderState:
    name: str
    uidvalidity: int
    uidnext: int | None
    exists: int


@dataclass
class Fetched:
    """A candidate as read: `raw` for the detector, `header` (the original header section) for its key."""

    uid: int
    raw: bytes
    header: bytes


@dataclass
class Header:
    """What the pre-filter reads of one message: its header fields, the start of its first part
    (where a forward's own header block or a code's name sits), and whether its structure holds an
    attached mail (a message/rfc822 part or an .eml file)."""

    uid: int
    header: bytes
    size: int
    snippet: bytes = b""
    attaches_mail: bool = False


def _responses(data: list) -> list[list]:
    """imaplib's flat FETCH answer split per message: a message starts where a line starts with
    its sequence number, and holds its literals (the sections) and the text between them."""
    messages: list[list] = []
    for item in data:
        start = item[0] if isinstance(item, tuple) else item
        if isinstance(start, bytes) and _MESSAGE_START.match(start):
            messages.append([])
        if messages:
            messages[-1].append(item)
    return messages


def _header_of(items: list) -> Header | None:
    text: list[bytes] = []
    header = snippet = b""
    for item in items:
        if isinstance(item, tuple):
            prefix, literal = bytes(item[0]), bytes(item[1] or b"")
            text.append(prefix)
            if _SECTION_HEADER.search(prefix):
                header = literal
            elif _SECTION_SNIPPET.search(prefix):
                snippet = literal
            else:
                text.append(literal)  # a literal inside BODYSTRUCTURE, such as a file name
        elif isinstance(item, bytes):
            text.append(item)
    joined = b"".join(text)
    uid, size = _UID.search(joined), _SIZE.search(joined)
    if not uid:
        return None
    lowered = joined.lower()
    attaches = b'"message" "rfc822"' in lowered or b'.eml"' in lowered
    return Header(int(uid.group(1)), header, int(size.group(1)) if size else 0, snippet, attaches)


class FolderReader:
    def __init__(self, client: IMAPClient):
        self.client = client
        self._junk: str | None = None
        self._junk_asked = False

    def special_folder(self, flag: bytes) -> str | None:
        with _reading("listing folders"):
            return self.client.find_special_folder(flag)

    def junk_folder(self) -> str | None:
        """The folder the server marks \\Junk, asked once per connection."""
        if not self._junk_asked:
            self._junk, self._junk_asked = self.special_folder(JUNK), True
        return self._junk

    def is_junk(self, name: str) -> bool:
        junk = self.junk_folder()
        return junk is not None and junk == name

    def folder_names(self) -> list[str]:
        with _reading("listing folders"):
            return [name for _, _, name in self.client.list_folders()]

    def examine(self, name: str) -> FolderState:
        try:
            response = self.client.select_folder(name, readonly=True)  # EXAMINE: the folder stays untouched
        except IMAPClientError as exc:
            known = self._known_folders()
            raise MailboxError(
                "folder",
                f"The folder {name!r} cannot be opened ({describe(exc)}).",
                f"Folders on this server: {', '.join(known)}." if known else "",
            ) from None
        except (OSError, imaplib.IMAP4.abort) as exc:
            raise _lost(exc, f"opening {name!r}") from None
        uidnext = response.get(b"UIDNEXT")
        return FolderState(
            name, int(response[b"UIDVALIDITY"]), int(uidnext) if uidnext else None, int(response.get(b"EXISTS", 0))
        )

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above last_uid. `n:*` always matches the highest UID, even below n: filter it out."""
        with _reading("searching for new mail"):
            return [uid for uid in self._uid_search(f"UID {last_uid + 1}:*") if uid > last_uid]

    def uids_since(self, day: date, below: int | None) -> list[int]:
        with _reading("searching the backfill window"):
            uids = self._uid_search(f"SINCE {day.day}-{_MONTHS[day.month - 1]}-{day.year}")
        return [uid for uid in uids if below is None or uid < below]

    def _uid_search(self, criteria: str) -> list[int]:
        """UID SEARCH through imaplib: a first scan's answer lists every UID of the folder, and
        imapclient's parser would spend longer on it than the server."""
        typ, data = uid_command(self.client, "SEARCH", criteria)
        if typ != "OK":
            raise MailboxError("read", f"The server refused to search ({describe(data)}).")
        return sorted({int(uid) for line in data if line for uid in bytes(line).split()})

    def headers(self, uids: list[int]) -> list[Header]:
        """The pre-filter's header fields and the size of each message. This runs for every
        message of a mailbox, so it goes through imaplib directly (imapclient's pure-Python
        response parser costs more than the server does) and reads only UID and size itself."""
        with _reading("reading headers"):
            typ, data = uid_command(self.client, "FETCH", uid_set(uids), PREFILTER_ITEMS)
        if typ != "OK":
            raise MailboxError("read", f"The server refused to read headers ({describe(data)}).")
        return [header for header in map(_header_of, _responses(data)) if header is not None]

    def bodies(self, headers: list[Header]) -> Iterator[Fetched]:
        """What the detector needs of each message, a few at a time, so memory holds at most one chunk."""
        small = [h.uid for h in headers if h.size <= WHOLE_LIMIT]
        large = [h.uid for h in headers if h.size > WHOLE_LIMIT]
        for start in range(0, len(small), 25):
            chunk = small[start : start + 25]
            with _reading("reading messages"):
                response = self.client.fetch(chunk, ["BODY.PEEK[]"])
            for uid in chunk:
                if uid in response:
                    raw = _item(response[uid], b"BODY[]")
                    yield Fetched(uid, raw, raw)
        for uid in large:
            fetched = self._by_structure(uid)
            if fetched is not None:
                yield fetched

    def _by_structure(self, uid: int) -> Fetched | None:
        with _reading("reading a message's structure"):
            response = self.client.fetch([uid], ["BODYSTRUCTURE", f"BODY.PEEK[HEADER]<0.{HEADER_LIMIT}>"])
        if uid not in response:
            return None
        header = _item(response[uid], b"BODY[HEADER]")
        try:
            parts = readable_parts(response[uid].get(b"BODYSTRUCTURE"))
        except (RecursionError, TypeError, ValueError, IndexError, AttributeError):
            parts = None  # a structure we cannot walk: read the start of the message instead
        if parts is None:
            with _reading("reading a large message"):
                response = self.client.fetch([uid], [f"BODY.PEEK[]<0.{BODY_LIMIT}>"])
            raw = _item(response.get(uid, {}), b"BODY[]")
            return Fetched(uid, raw, header)
        items = []
        for number in parts:
            items += [f"BODY.PEEK[{number}.MIME]", f"BODY.PEEK[{number}]<0.{PART_LIMIT}>"]
        data = {}
        if items:
            with _reading("reading a large message's text"):
                data = self.client.fetch([uid], items).get(uid, {})
        pieces = [(_item(data, f"BODY[{n}.MIME]".encode()), _item(data, f"BODY[{n}]".encode())) for n in parts]
        return Fetched(uid, assemble(header, pieces), header)

    def _known_folders(self) -> list[str]:
        try:
            return self.folder_names()[:20]
        except MailboxError:
            return []


def uid_set(uids: list[int]) -> str:
    """Sorted UIDs as an IMAP sequence set with ranges: 1:1000 rather than a thousand numbers."""
    runs = []
    for _, run in itertools.groupby(enumerate(uids), key=lambda pair: pair[1] - pair[0]):
        members = [uid for _, uid in run]
        runs.append(str(members[0]) if len(members) == 1 else f"{members[0]}:{members[-1]}")
    return ",".join(runs)


def _item(data: dict, name: bytes) -> bytes:
    """A fetched section's bytes; a partial answer is keyed with its origin (BODY[1]<0>)."""
    for key, value in data.items():
        if isinstance(key, bytes) and (key == name or key.startswith(name + b"<")) and value is not None:
            return bytes(value)
    return b""


def readable_parts(structure) -> list[str] | None:
    """The part numbers of the text/plain, text/html and message/rfc822 parts of a multipart
    message, in order, from imapclient's parsed BODYSTRUCTURE; None for a single-part message
    (whose body is the whole message) or a structure deeper than any real mail."""
    if structure is None or not structure.is_multipart:
        return None
    found: list[str] = []
    stack = [(structure, "", 0)]
    while stack:
        node, number, depth = stack.pop()
        if depth > 20:
            return None
        if node.is_multipart:
            children = [child for child in node[0]]
            for index in range(len(children), 0, -1):  # reversed, so parts come out in order
                stack.append((children[index - 1], f"{number}.{index}" if number else str(index), depth + 1))
            continue
        kind = (_text(node[0]), _text(node[1]))
        if kind in (("text", "plain"), ("text", "html"), ("message", "rfc822")):
            found.append(number)
            if len(found) >= MAX_PARTS:
                break
    return found


def _text(value) -> str:
    return (value.decode("ascii", "replace") if isinstance(value, bytes) else str(value or "")).lower()


def assemble(header: bytes, parts: list[tuple[bytes, bytes]]) -> bytes:
    """A message the detector reads like the original: its own header (its Content-Type replaced)
    over a multipart/mixed of the parts that were fetched, each with its own MIME header."""
    body = b"".join(mime + content for mime, content in parts)
    boundary = b"otpdash-" + uuid.uuid4().hex.encode()
    while boundary in body:
        boundary = b"otpdash-" + uuid.uuid4().hex.encode()
    head = _without_fields(header, (b"content-type", b"content-transfer-encoding"))
    out = [head, b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n']
    for mime, content in parts:
        out += [b"--" + boundary + b"\r\n", mime.rstrip(b"\r\n") + b"\r\n\r\n", content, b"\r\n"]
    out.append(b"--" + boundary + b"--\r\n")
    return b"".join(out)


def _without_fields(header: bytes, names: tuple[bytes, ...]) -> bytes:
    """The header block without the named fields (and their folded continuation lines)."""
    kept: list[bytes] = []
    dropping = False
    for line in header.rstrip(b"\r\n").split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(line)
            continue
        dropping = line.split(b":", 1)[0].strip().lower() in names
        if not dropping:
            kept.append(line)
    return b"\n".join(kept).rstrip(b"\r\n") + b"\r\n"


class _reading:
    """Turn a dropped connection or a server error into a MailboxError on the 'read' step."""

    def __init__(self, doing: str):
        self.doing = doing

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None or isinstance(exc, MailboxError):
            return False
        if isinstance(exc, (OSError, socket.timeout, imaplib.IMAP4.abort)):
            raise _lost(exc, self.doing) from None
        if isinstance(exc, (IMAPClientError, imaplib.IMAP4.error)):
            raise MailboxError("read", f"The server refused {self.doing} ({describe(exc)}).") from None
        return False


def _lost(exc: BaseException, doing: str) -> MailboxError:
    return MailboxError(
        "read",
        f"The connection was lost while {doing} ({describe(exc)}).",
        "Nothing is lost: the next pass continues where this one stopped.",
    )


def discover_folders(reader: FolderReader) -> list[str]:
    """INBOX and the folder the server marks \\Junk, where Microsoft's codes often land."""
    junk = reader.junk_folder()
    return ["INBOX"] + ([junk] if junk and junk.upper() != "INBOX" else [])
