"""One archive holds an install: a consistent copy of the SQLite database taken with SQLite's online
backup API while the app runs, the key files (without them the stored mailbox passwords and two-step
secrets cannot be read), and a manifest. The archive is made with mode 0600 and never overwrites a
file; a restore goes only into a data folder that holds no install yet.

On PostgreSQL the archive holds pg_dump's custom-format dump instead of the SQLite file (pg_dump and
pg_restore from the client package of the server's major version); the connection's password goes
to them in their environment, never on a command line."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from django.conf import settings
from django.db import connection

MANIFEST = "otpdash-backup.json"
DATABASE = "otpdash.sqlite3"
PG_DUMP = "otpdash.pgdump"
KEY_FILES = ("secret_key", "encryption_keys")
FORMAT = 1
MAX_MEMBER_BYTES = 64 * 2**30  # a sanity bound on what an archive may claim to hold


class BackupError(Exception):
    """A backup or restore refused, with what to do in its message."""


def create(path: Path, with_keys: bool = True) -> dict:
    """Write the archive at path. Returns the manifest."""
    path = path.expanduser().absolute()
    if path.is_dir():
        raise BackupError(f"{path} is a folder: give the archive's file name, e.g. {path / 'otpdash-backup.tar.gz'}.")
    if path.exists():
        raise BackupError(f"{path} already exists: a backup never overwrites a file; choose a new name.")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a folder.")
    data_dir = Path(settings.DATA_DIR)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "files": [],
        "keys_in_environment": bool(settings.ENCRYPTION_KEYS),
    }
    with tempfile.TemporaryDirectory(prefix="otpdash-backup-") as scratch:
        members: list[tuple[str, Path]] = []
        if connection.vendor == "sqlite":
            copy = Path(scratch) / DATABASE
            _copy_sqlite(Path(settings.DATABASES["default"]["NAME"]), copy)
            members.append((DATABASE, copy))
        elif connection.vendor == "postgresql":
            dump = Path(scratch) / PG_DUMP
            _postgres("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}")
            members.append((PG_DUMP, dump))
        if with_keys:
            members += [(name, data_dir / name) for name in KEY_FILES if (data_dir / name).is_file()]
        manifest["files"] = [name for name, _ in members]
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                for name, source in members:
                    archive.add(source, arcname=name, recursive=False)
                body = json.dumps(manifest, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(body), 0o600, int(datetime.now().timestamp())
                archive.addfile(info, io.BytesIO(body))
        except BaseException:
            path.unlink(missing_ok=True)  # never leave half an archive that looks like a backup
            raise
    return manifest


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: the copy is one consistent state, whatever other processes write."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # all pages in one step, under one read transaction
        verdict = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"the copy of the database failed its integrity check: {verdict}")
    finally:
        dst.close()
        src.close()


def restore(path: Path) -> dict:
    """Unpack the archive at path into the (empty) data folder. Returns the manifest."""
    path = path.expanduser().absolute()
    data_dir = Path(settings.DATA_DIR)
    try:
        archive = tarfile.open(path, mode="r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{path} is not an OTP Dash backup ({exc}).") from None
    with archive:
        manifest = _manifest(archive)
        if manifest["database"] != connection.vendor:
            raise BackupError(
                f"The backup holds a {manifest['database']} install, but this install is set up for "
                f"{connection.vendor}: set DATABASE_URL as the backed-up install had it."
            )
        _refuse_unless_empty(data_dir, manifest)
        # The database first: if it fails, the folder is still empty and the restore can be run again.
        names = sorted(manifest["files"], key=lambda name: name in KEY_FILES)
        with tempfile.TemporaryDirectory(prefix="otpdash-restore-") as scratch:
            for name in names:
                member = archive.getmember(name)
                if not member.isfile() or member.size > MAX_MEMBER_BYTES:
                    raise BackupError(f"{path}: {name} is not a plain file; this is not a backup OTP Dash made.")
                if name == PG_DUMP:  # into the database, never left in the data folder
                    dump = Path(scratch) / PG_DUMP
                    _write_private(dump, archive.extractfile(member))
                    _postgres("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                              str(dump))  # fmt: skip
                else:
                    _write_private(data_dir / name, archive.extractfile(member))
    if DATABASE in manifest["files"]:
        for leftover in ("-wal", "-shm"):
            (data_dir / (DATABASE + leftover)).unlink(missing_ok=True)
        check = sqlite3.connect(data_dir / DATABASE)
        try:
            verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            check.close()
        if verdict != "ok":
            raise BackupError(f"the restored database failed its integrity check: {verdict}")
    return manifest


def _manifest(archive: tarfile.TarFile) -> dict:
    names = set(archive.getnames())
    allowed = {MANIFEST, DATABASE, PG_DUMP, *KEY_FILES}
    if MANIFEST not in names or names - allowed:
        raise BackupError("This is not an OTP Dash backup (its list of files is not what `manage.py backup` makes).")
    member = archive.getmember(MANIFEST)
    try:
        manifest = json.loads(archive.extractfile(member).read(65536))
    except (ValueError, AttributeError) as exc:
        raise BackupError(f"The backup's manifest cannot be read ({exc}).") from None
    if manifest.get("format") != FORMAT or not set(manifest.get("files", [])) <= names - {MANIFEST}:
        raise BackupError("This backup was made by a version of OTP Dash that this one cannot restore.")
    return manifest


def _refuse_unless_empty(data_dir: Path, manifest: dict) -> None:
    """A data folder holds an install once it has a database with tables or an encryption key. The
    secret key a start-up generates in an empty folder is replaced by the backed-up one."""
    found = []
    if (data_dir / "encryption_keys").exists():
        found.append("encryption_keys")
    if connection.vendor == "sqlite" and _has_tables(Path(settings.DATABASES["default"]["NAME"])):
        found.append(DATABASE)
    if connection.vendor != "sqlite":
        with connection.cursor() as cursor:
            if "django_migrations" in connection.introspection.table_names(cursor):
                found.append("the PostgreSQL database (it has tables)")
    if found:
        raise BackupError(
            f"{data_dir} already holds an install ({', '.join(found)}); a restore never overwrites one. "
            "Point OTPDASH_DATA_DIR at an empty folder."
        )


def _postgres(program: str, *args: str) -> None:
    """pg_dump or pg_restore on this install's database, connected through libpq's environment."""
    binary = shutil.which(program)
    if binary is None:
        raise BackupError(
            f"{program} is not installed: install PostgreSQL's client (apt-get install postgresql-client)."
        )
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGHOST": db.get("HOST") or "", "PGPORT": str(db.get("PORT") or ""),
           "PGUSER": db.get("USER") or "", "PGPASSWORD": db.get("PASSWORD") or ""}  # fmt: skip
    env = {key: value for key, value in env.items() if value}
    if program == "pg_restore":
        args = ("--dbname", db["NAME"], *args)
    result = subprocess.run([binary, *args], env=env, capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip()[-1000:]}")


def _has_tables(database: Path) -> bool:
    if not database.exists() or database.stat().st_size == 0:
        return False
    db = sqlite3.connect(database)
    try:
        return db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0
    finally:
        db.close()


def _write_private(target: Path, source) -> None:
    scratch = target.with_name(f".{target.name}.restoring")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := source.read(1 << 20):
            out.write(chunk)
    os.replace(scratch, target)
