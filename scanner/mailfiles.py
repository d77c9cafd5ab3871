"""Reading messages from files: single .eml files, mbox files and folders (recursively).

Shared by `classify` and `import_mail`. Yields (source, raw bytes) in input order; a path that
cannot be read yields an UnreadablePath instead, so callers report it and carry on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAIL_SUFFIXES = {".eml", ".msg", ".mbox", ".mbx"}
MBOX_SUFFIXES = {".mbox", ".mbx"}
MAILDIR_PARTS = {"cur", "new"}


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
        if path.is_dir():
            files = _mail_files(path)
            if isinstance(files, UnreadablePath):
                yield files
                continue
            for file in files:
                yield from _read_file(file, str(file))
        elif path.exists():
            yield from _read_file(path, name)
        else:
            yield UnreadablePath(name, "no such file or directory")


def _mail_files(folder: Path) -> list[Path] | UnreadablePath:
    found: list[Path] = []
    errors: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=errors.append):
        dirs.sort()
        in_maildir = Path(root).name in MAILDIR_PARTS
        for file in sorted(files):
            candidate = Path(root) / file
            if in_maildir or candidate.suffix.lower() in MAIL_SUFFIXES or _looks_like_mbox(candidate):
                found.append(candidate)
    if errors and not found:
        return UnreadablePath(str(folder), errors[0].strerror or "cannot be read")
    return found


def _looks_like_mbox(path: Path) -> bool:
    """An extension-less file that starts with an mbox 'From ' line (a Google Takeout export)."""
    if path.suffix:
        return False
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"From "
    except OSError:
        return False


def _read_file(path: Path, source: str) -> Iterator[tuple[str, bytes] | UnreadablePath]:
    try:
        if path.suffix.lower() in MBOX_SUFFIXES or _looks_like_mbox(path):
            for number, raw in enumerate(_mbox_messages(path), start=1):
                yield f"{source}#{number}", raw
            return
        yield source, path.read_bytes()
    except OSError as exc:
        yield UnreadablePath(source, exc.strerror or str(exc))


def _mbox_messages(path: Path) -> Iterator[bytes]:
    """Split an mbox on 'From ' lines, one message in memory at a time; '>From ' is unquoted."""
    current: list[bytes] = []
    started = False
    with path.open("rb") as handle:
        for line in handle:
            if line.startswith(b"From ") and (not started or _after_blank(current)):
                if started:
                    yield _finish(current)
                current = []
                started = True
                continue
            if not started:
                started = True  # no envelope line: the file is one message
            if line.startswith(b">") and line.lstrip(b">").startswith(b"From "):
                line = line[1:]
            current.append(line)
    if started:
        yield _finish(current)


def _after_blank(lines: list[bytes]) -> bool:
    return not lines or lines[-1].strip() == b""


def _finish(lines: list[bytes]) -> bytes:
    if lines and lines[-1].strip() == b"":
        lines = lines[:-1]  # the separator blank line belongs to the mbox, not the message
    return b"".join(lines)
