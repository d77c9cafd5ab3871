"""Read a folder without changing it: EXAMINE, UID SEARCH, FETCH BODY.PEEK. Nothing else is sent.

The reader moves bytes and UIDs; it knows nothing of detection or storage.
"""

from __future__ import annotations

import imaplib
import itertools
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from .errors import MailboxError, describe

# The header fields the detector's pre-filter reads (scanner.detect.worth_reading_many).
HEADER_FIELDS = "FROM SENDER REPLY-TO SUBJECT"
HEADER_ITEM = f"BODY.PEEK[HEADER.FIELDS ({HEADER_FIELDS})]"
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
# RFC 3501 month names for SINCE, whatever the locale's %b would say.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# A candidate larger than this is read only this far: code mails are a few dozen KiB, and a
# huge attachment must not blow the memory bound.
BODY_LIMIT = 2 * 1024 * 1024


@dataclass(frozen=True)
class FolderState:
    name: str
    uidvalidity: int
    uidnext: int | None
    exists: int


@dataclass
class Header:
    uid: int
    header: bytes
    size: int


class FolderReader:
    def __init__(self, client: IMAPClient):
        self.client = client

    def special_folder(self, flag: bytes) -> str | None:
        with _reading("listing folders"):
            return self.client.find_special_folder(flag)

    def folder_names(self) -> list[str]:
        with _reading("listing folders"):
            return [name for _, _, name in self.client.list_folders()]

    def examine(self, name: str) -> FolderState:
        try:
            response = self.client.select_folder(name, readonly=True)  # EXAMINE: the folder stays untouched
        except IMAPClientError as exc:
            known = self._known_folders()
            raise MailboxError(
                "folder", f"The folder {name!r} cannot be opened ({describe(exc)}).",
                f"Folders on this server: {', '.join(known)}." if known else "",
            ) from None
        except (OSError, imaplib.IMAP4.abort) as exc:
            raise _lost(exc, f"opening {name!r}") from None
        uidnext = response.get(b"UIDNEXT")
        return FolderState(name, int(response[b"UIDVALIDITY"]), int(uidnext) if uidnext else None,
                           int(response.get(b"EXISTS", 0)))

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
        typ, data = self.client._imap.uid("SEARCH", criteria)
        if typ != "OK":
            raise MailboxError("read", f"The server refused to search ({describe(data)}).")
        return sorted({int(uid) for line in data if line for uid in bytes(line).split()})

    def headers(self, uids: list[int]) -> list[Header]:
        """The pre-filter's header fields and the size of each message. This runs for every
        message of a mailbox, so it goes through imaplib directly (imapclient's pure-Python
        response parser costs more than the server does) and reads only UID and size itself."""
        with _reading("reading headers"):
            typ, data = self.client._imap.uid("FETCH", uid_set(uids), f"(RFC822.SIZE {HEADER_ITEM})")
        if typ != "OK":
            raise MailboxError("read", f"The server refused to read headers ({describe(data)}).")
        out = []
        for item in data:
            if not isinstance(item, tuple):
                continue  # the closing parenthesis of a response, or an unrelated FETCH
            uid, size = _UID.search(item[0]), _SIZE.search(item[0])
            if uid:
                out.append(Header(int(uid.group(1)), bytes(item[1]), int(size.group(1)) if size else 0))
        return out

    def bodies(self, headers: list[Header]) -> Iterator[tuple[int, bytes]]:
        """Whole messages, a few at a time, so memory holds at most one chunk."""
        small = [h.uid for h in headers if h.size <= BODY_LIMIT]
        large = [h.uid for h in headers if h.size > BODY_LIMIT]
        for start in range(0, len(small), 25):
            chunk = small[start:start + 25]
            with _reading("reading messages"):
                response = self.client.fetch(chunk, ["BODY.PEEK[]"])
            for uid in chunk:
                if uid in response:
                    yield uid, _body_item(response[uid])
        for uid in large:
            with _reading("reading a large message"):
                response = self.client.fetch([uid], [f"BODY.PEEK[]<0.{BODY_LIMIT}>"])
            if uid in response:
                yield uid, _body_item(response[uid])

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


def _body_item(data: dict) -> bytes:
    for key, value in data.items():
        if isinstance(key, bytes) and key.startswith(b"BODY[") and value is not None:
            return bytes(value)
    return b""


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
        "read", f"The connection was lost while {doing} ({describe(exc)}).",
        "Nothing is lost: the next pass continues where this one stopped.",
    )
