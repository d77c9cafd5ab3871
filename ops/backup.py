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
import zlib
from datetime import datetime, timezone
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection

MANIFEST = "otpdash-backup.json"
DATABASE = "otpdash.sqlite3"
PG_DUMP = "otpdash.pgdump"
KEY_FILES = ("secret_key", "encryption_keys")
FORMAT = 1
# Rows that are live state, not the install: whoever holds a session row is signed in as its person,
# and queued tasks and cached counters mean nothing on another machine.
TRANSIENT_TABLES = ("django_session", "otpdash_cache", "django_q_ormq", "django_q_task")
MAX_KEY_BYTES = 64 * 2**10
SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


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
            leave_out = [f"--exclude-table-data={table}" for table in TRANSIENT_TABLES]
            _postgres("pg_dump", "--format=custom", "--no-owner", "--no-privileges", *leave_out, f"--file={dump}")
            members.append((PG_DUMP, dump))
        if with_keys:
            members += [(name, data_dir / name) for name in KEY_FILES if (data_dir / name).is_file()]
        manifest["files"] = [name for name, _ in members]
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                for name, source in members:
                    archive.add(source, arcname=name, recursive=False, filter=_private_member)
                body = json.dumps(manifest, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(body), int(datetime.now().timestamp())
                archive.addfile(_private_member(info), io.BytesIO(body))
        except BaseException:
            path.unlink(missing_ok=True)  # never leave half an archive that looks like a backup
            raise
    return manifest


def _private_member(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """Every member 0600 and owned by nobody in particular: unpacked by hand, it is still private."""
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    return info


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: the copy is one consistent state, whatever other processes write.
    The live rows are then dropped from the copy and the file rebuilt, so not even its free pages
    keep them."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # all pages in one step, under one read transaction
        tables = {row[0] for row in dst.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in TRANSIENT_TABLES:
            if table in tables:
                dst.execute(f'DELETE FROM "{table}"')  # noqa: S608 (our own constant names)
        dst.commit()
        dst.execute("VACUUM")
        verdict = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"the copy of the database failed its integrity check: {verdict}")
    finally:
        dst.close()
        src.close()


def restore(path: Path) -> dict:
    """Unpack the archive at path into the (empty) data folder. Returns the manifest. Everything is
    checked before anything lands in the data folder, and any failure leaves it as it was."""
    path = path.expanduser().absolute()
    data_dir = Path(settings.DATA_DIR)
    try:
        archive = tarfile.open(path, mode="r:gz")
    except (OSError, EOFError, tarfile.TarError, zlib.error) as exc:
        raise BackupError(f"{path} is not an OTP Dash backup ({exc}).") from None
    try:
        with archive:
            return _restore(archive, data_dir)
    except (OSError, EOFError, tarfile.TarError, zlib.error, sqlite3.Error) as exc:
        raise BackupError(f"{path} could not be restored ({exc}); the data folder is as it was.") from None


def _restore(archive: tarfile.TarFile, data_dir: Path) -> dict:
    manifest = _manifest(archive)
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"The backup holds a {manifest['database']} install, but this install is set up for "
            f"{connection.vendor}: set DATABASE_URL as the backed-up install had it."
        )
    members = {name: archive.getmember(name) for name in manifest["files"]}
    _check_sizes(members, data_dir)
    _refuse_unless_empty(data_dir, manifest)
    scratch = Path(tempfile.mkdtemp(prefix=".otpdash-restoring-", dir=data_dir))  # same disk: moves are atomic
    try:
        for name, member in members.items():
            _write_private(scratch / name, archive.extractfile(member))
            _check_file(name, scratch / name)
        if PG_DUMP in members:  # into the database, never left in the data folder; all or nothing
            _postgres("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                      str(scratch / PG_DUMP))  # fmt: skip
        _move_in(scratch, data_dir, [name for name in members if name != PG_DUMP])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return manifest


def _manifest(archive: tarfile.TarFile) -> dict:
    names = set(archive.getnames())
    allowed = {MANIFEST, DATABASE, PG_DUMP, *KEY_FILES}
    if MANIFEST not in names or names - allowed:
        raise BackupError("This is not an OTP Dash backup (its list of files is not what `manage.py backup` makes).")
    member = archive.getmember(MANIFEST)
    if not member.isfile() or member.size > MAX_KEY_BYTES:
        raise BackupError("This is not an OTP Dash backup (its manifest is not a small file).")
    try:
        manifest = json.loads(archive.extractfile(member).read())
    except (ValueError, AttributeError) as exc:
        raise BackupError(f"The backup's manifest cannot be read ({exc}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("This backup was made by a version of OTP Dash that this one cannot restore.")
    files = manifest.get("files")
    if (
        not isinstance(files, list)
        or not all(isinstance(name, str) for name in files)
        or len(set(files)) != len(files)
        or not set(files) <= names - {MANIFEST}
        or not isinstance(manifest.get("created_at"), str)
        or manifest.get("database") not in ("sqlite", "postgresql")
    ):
        raise BackupError("This is not an OTP Dash backup (its manifest does not list what the archive holds).")
    database = DATABASE if manifest["database"] == "sqlite" else PG_DUMP
    if database not in manifest["files"] or ({DATABASE, PG_DUMP} - {database}) & set(manifest["files"]):
        raise BackupError(f"This backup of a {manifest['database']} install does not hold its database.")
    for name in manifest["files"]:
        if not archive.getmember(name).isfile():
            raise BackupError(f"{name} in the backup is not a plain file; this is not a backup OTP Dash made.")
    return manifest


def _check_sizes(members: dict[str, tarfile.TarInfo], data_dir: Path) -> None:
    for name in KEY_FILES:
        if name in members and members[name].size > MAX_KEY_BYTES:
            raise BackupError(f"{name} in the backup is {members[name].size:,} bytes: a key file is a few dozen.")
    total = sum(member.size for member in members.values())
    free = shutil.disk_usage(data_dir).free
    limit = settings.RESTORE_MAX_BYTES
    if total > limit or total > free:
        where = (
            f"the {limit:,} bytes a restore accepts (OTPDASH_RESTORE_MAX_BYTES)"
            if total > limit
            else f"the {free:,} bytes free in {data_dir}"
        )
        raise BackupError(f"The backup unpacks to {total:,} bytes, more than {where}; nothing was written.")


def _check_file(name: str, path: Path) -> None:
    """Each file is what its name says, before it goes anywhere."""
    if name == DATABASE:
        with path.open("rb") as file:
            if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                raise BackupError(f"{name} in the backup is not a SQLite database.")
        check = sqlite3.connect(path)
        try:
            verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            check.close()
        if verdict != "ok":
            raise BackupError(f"the backed-up database failed its integrity check: {verdict}")
        if "django_migrations" not in tables:
            raise BackupError(f"{name} in the backup is a SQLite database, but not an OTP Dash one.")
    elif name == PG_DUMP:
        with path.open("rb") as file:
            if file.read(len(PG_DUMP_HEADER)) != PG_DUMP_HEADER:
                raise BackupError(f"{name} in the backup is not a pg_dump archive.")
    elif name == "secret_key":
        text = path.read_bytes().decode("utf-8", "replace").strip()
        if len(text) < 32 or any(ch.isspace() for ch in text):
            raise BackupError("secret_key in the backup is not a secret key (empty, short or with spaces).")
    elif name == "encryption_keys":
        keys = path.read_bytes().decode("ascii", "replace").split()
        try:
            if not keys:
                raise ValueError("empty")
            for key in keys:
                Fernet(key)
        except ValueError:
            raise BackupError("encryption_keys in the backup does not hold Fernet keys, one per line.") from None


def _move_in(scratch: Path, data_dir: Path, names: list[str]) -> None:
    """Each checked file into place; what it replaces (the secret key a start-up made, an empty
    database file) is put back if any move fails."""
    moved: list[str] = []
    try:
        for name in names:
            target = data_dir / name
            if target.exists():
                os.replace(target, scratch / f"{name}.before")
            os.replace(scratch / name, target)
            moved.append(name)
        if DATABASE in names:
            for leftover in ("-wal", "-shm"):
                (data_dir / (DATABASE + leftover)).unlink(missing_ok=True)
    except BaseException:
        for name in reversed(moved):
            (data_dir / name).unlink(missing_ok=True)
        for name in names:
            if (scratch / f"{name}.before").exists():
                os.replace(scratch / f"{name}.before", data_dir / name)
        raise


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
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := source.read(1 << 20):
            out.write(chunk)
