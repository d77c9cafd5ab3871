"""Reading messages from files: single .eml files, mbox files and folders (recursively).

Shared by `classify` and `import_mail`. Yields (source, raw bytes) in input order; a path that
cannot be read yields an UnreadablePath instead, so callers report it and carry on.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAIL_SUFFIXES = {".eml", ".msg", ".mbox", ".mbx"}
MBOX_SUFFIXES = {".mbox", ".mbx"}
MAILDIR_PARTS = {"cur", "new"}
# A message larger than this is read only this far (the detector reads far less of it anyway).
MAX_MESSAGE_BYTES = 32 * 1024 * 1024
_LINE_PIECE = 64 * 1024
NOT_A_FILE = "not a regular file (a pipe, device or socket); skipped"


def _too_large() -> str:
    return f"larger than {MAX_MESSAGE_BYTES // 1024} KiB; only the first {MAX_MESSAGE_BYTES // 1024} KiB were read"


@dataclass
class UnreadablePath:
    source: str
    reason: str


def readable_messages(paths: list[str], report) -> Iterator[tuple[str, bytes]]:
    """The messages of iter_messages(); each path that cannot be read goes to report(UnreadablePath)."""
    for item in iter_messages(paths):
        if isinstance(item, UnreadablePath):
            report(item)
        else:
            yield item


def iter_messages(paths: list[str]) -> Iterator[tuple[str, bytes] | UnreadablePath]:
    for name in paths:
        path = Path(name)
        try:
            info = path.stat()  # follows a symbolic link to what it names
        except FileNotFoundError:
            yield UnreadablePath(name, "no such file or directory")
            continue
        except OSError as exc:
            yield UnreadablePath(name, exc.strerror or "cannot be read")
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _folder_messages(path)
        else:
            yield from _read_file(path, name, info)


def _folder_messages(folder: Path) -> Iterator[tuple[str, bytes] | UnreadablePath]:
    found: list[tuple[Path, os.stat_result]] = []
    errors: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=errors.append):
        dirs.sort()
        in_maildir = Path(root).name in MAILDIR_PARTS
        for file in sorted(files):
            candidate = Path(root) / file
            try:
                info = candidate.stat()
            except OSError as exc:
                yield UnreadablePath(str(candidate), exc.strerror or "cannot be read")
                continue
            if not stat.S_ISREG(info.st_mode):
                yield UnreadablePath(str(candidate), NOT_A_FILE)  # never opened: a pipe would block, a device never end
                continue
            if in_maildir or candidate.suffix.lower() in MAIL_SUFFIXES or _looks_like_mbox(candidate):
                found.append((candidate, info))
    if errors and not found:
        yield UnreadablePath(str(folder), errors[0].strerror or "cannot be read")
        return
    for file, info in found:
        yield from _read_file(file, str(file), info)


def _looks_like_mbox(path: Path) -> bool:
    """An extension-less regular file that starts with an mbox 'From ' line (a Google Takeout export)."""
    if path.suffix:
        return False
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"From "
    except OSError:
        return False


def _read_file(path: Path, source: str, info: os.stat_result) -> Iterator[tuple[str, bytes] | UnreadablePath]:
    if not stat.S_ISREG(info.st_mode):
        yield UnreadablePath(source, NOT_A_FILE)
        return
    try:
        if path.suffix.lower() in MBOX_SUFFIXES or _looks_like_mbox(path):
            for number, (raw, cut) in enumerate(_mbox_messages(path), start=1):
                yield f"{source}#{number}", raw
                if cut:
                    yield UnreadablePath(f"{source}#{number}", _too_large())
            return
        with path.open("rb") as handle:
            raw = handle.read(MAX_MESSAGE_BYTES + 1)
        yield source, raw[:MAX_MESSAGE_BYTES]
        if len(raw) > MAX_MESSAGE_BYTES:
            yield UnreadablePath(source, _too_large())
    except OSError as exc:
        yield UnreadablePath(source, exc.strerror or str(exc))


def _lines(handle) -> Iterator[tuple[bytes, bool]]:
    """(piece, starts a line): lines in pieces of at most _LINE_PIECE bytes, so a file without line
    breaks is never read into memory at once."""
    at_start = True
    while True:
        piece = handle.readline(_LINE_PIECE)
        if not piece:
            return
        yield piece, at_start
        at_start = piece.endswith(b"\n")


def _mbox_messages(path: Path) -> Iterator[tuple[bytes, bool]]:
    """Split an mbox on 'From ' lines, one message in memory at a time (at most MAX_MESSAGE_BYTES of
    it: the rest is skipped, and said); '>From ' is unquoted. Yields (message, cut)."""
    current: list[bytes] = []
    size = 0
    cut = False
    started = False
    with path.open("rb") as handle:
        for line, at_start in _lines(handle):
            if at_start and line.startswith(b"From ") and (not started or _after_blank(current)):
                if started:
                    yield _finish(current), cut
                current, size, cut = [], 0, False
                started = True
                continue
            if not started:
                started = True  # no envelope line: the file is one message
            if at_start and line.startswith(b">") and line.lstrip(b">").startswith(b"From "):
                line = line[1:]
            if size + len(line) > MAX_MESSAGE_BYTES:
                cut = True
                continue
            current.append(line)
            size += len(line)
    if started:
        yield _finish(current), cut


def _after_blank(lines: list[bytes]) -> bool:
    return not lines or lines[-1].strip() == b""


def _finish(lines: list[bytes]) -> bytes:
    if lines and lines[-1].strip() == b"":
        lines = lines[:-1]  # the separator blank line belongs to the mbox, not the message
    return b"".join(lines)
