"""The data folder holds the database (session keys, password hashes, sealed secrets) and the keys:
readable by OTP Dash's own user only. Modes are set at every start, and what cannot be set is said."""

from __future__ import annotations

import os
import stat
from pathlib import Path

# The SQLite database with its WAL and shared-memory files, and the generated secrets.
PRIVATE_FILES = ("otpdash.sqlite3", "otpdash.sqlite3-wal", "otpdash.sqlite3-shm", "secret_key", "encryption_keys")


def make_private(data_dir: Path, database: Path | None) -> list[str]:
    """Folder 0700, its secret files 0600; the SQLite file is made 0600 before SQLite first opens it,
    since SQLite gives its -wal and -shm files the database file's mode. Returns what could not be
    made private, in words."""
    problems: list[str] = []
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if database is not None and not database.exists():
        os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))
    _set_mode(data_dir, 0o700, problems)
    for name in PRIVATE_FILES:
        path = data_dir / name
        if path.exists():
            _set_mode(path, 0o600, problems)
    return problems


def _set_mode(path: Path, mode: int, problems: list[str]) -> None:
    try:
        if stat.S_IMODE(path.stat().st_mode) != mode:
            path.chmod(mode)
    except OSError as exc:
        problems.append(f"{path} should be readable by OTP Dash's user only (mode {mode:o}) but {exc.strerror}")
        return
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        problems.append(f"{path} is readable by other users; make it mode {mode:o}")


def check(app_configs=None, **kwargs):
    """Django system check: the problems make_private() met at start-up, as warnings."""
    from django.conf import settings
    from django.core.checks import Warning

    return [Warning(problem, id="otpdash.W001") for problem in settings.DATA_DIR_PROBLEMS]
