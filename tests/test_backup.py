"""manage.py backup and restore, as processes on real installs: a backup taken while a scan writes is
one consistent state, restores into a new folder with the same findings, and opens the same mailbox
passwords; archives are private, never overwritten, and a restore never lands on an install."""

from __future__ import annotations

import io
import json
import signal
import sqlite3
import stat
import subprocess
import sys
import tarfile
import time

import pytest

from tests.dovecot import MISSING, Dovecot, dovecot_binary
from tests.mailgen import mailbox_mix
from tests.manage_process import ROOT, Install


@pytest.fixture
def busy_server():
    if dovecot_binary() is None:
        pytest.fail(MISSING, pytrace=False)
    server = Dovecot().start()
    messages, codes, fakes = mailbox_mix(6000, realistic=True)
    server.append(messages)
    server.expected = codes + fakes
    yield server
    server.destroy()


def consistent(install: Install) -> None:
    """Each batch is stored with its cursor in one transaction: no sighting lies beyond its folder's
    cursor, and the database is whole."""
    assert install.query("PRAGMA integrity_check") == [("ok",)]
    beyond = install.query(
        "SELECT COUNT(*) FROM scanner_sighting s JOIN scanner_foldercursor c ON c.mailbox_id = s.mailbox_id"
        " AND c.folder = s.folder WHERE s.uid > c.last_uid"
    )
    assert beyond == [(0,)]


def test_a_backup_taken_during_a_scan_restores_a_consistent_install_that_opens_the_passwords(busy_server, tmp_path):
    source = Install(tmp_path / "source")
    mailbox = source.setup_member_and_mailbox(busy_server, "--folder", "INBOX")
    scan = subprocess.Popen([sys.executable, "manage.py", "scan", "--mailbox", str(mailbox)], cwd=ROOT,
                            env=source.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    during = []
    while scan.poll() is None and len(during) < 4:
        written = source.query("SELECT COUNT(*) FROM scanner_sighting")[0][0]
        if 0 < written < busy_server.expected:  # the scan is writing
            # The scan outruns a backup process's start, so it is frozen where it stands (maybe
            # inside a transaction) while the backup runs: a mid-scan state however fast scans get.
            scan.send_signal(signal.SIGSTOP)
            try:
                archive = tmp_path / f"during-{len(during)}.tar.gz"
                source.manage("backup", str(archive))
                during.append(archive)
            finally:
                scan.send_signal(signal.SIGCONT)
            time.sleep(0.2)
        time.sleep(0.01)
    assert scan.wait(timeout=300) == 0, scan.stdout.read()
    assert during, "the scan ended before a backup could be taken during it"
    after = tmp_path / "after.tar.gz"
    source.manage("backup", str(after))

    partial = []
    for n, archive in enumerate(during):
        assert stat.S_IMODE(archive.stat().st_mode) == 0o600
        copy = Install(tmp_path / f"restored-{n}")
        copy.manage("restore", str(archive))
        consistent(copy)
        partial += copy.query("SELECT COUNT(*) FROM scanner_sighting")[0]
    assert min(partial) < busy_server.expected, partial  # at least one was taken mid-scan
    restored = Install(tmp_path / "restored-after")
    out = restored.manage("restore", str(after)).stdout
    assert "Restored otpdash.sqlite3, secret_key, encryption_keys" in out
    restored.manage("migrate", "--noinput", "-v", "0")
    consistent(restored)
    assert restored.manage("sightings", "--json").stdout == source.manage("sightings", "--json").stdout
    assert len(restored.manage("sightings", "--json").stdout.splitlines()) == busy_server.expected  # JSON lines
    opened = restored.manage(
        "shell", "-c", "from mailboxes.models import Mailbox; print(Mailbox.objects.get().get_secret())"
    )
    assert opened.stdout.strip().splitlines()[-1] == busy_server.users["alice"]
    assert restored.manage("mailbox", "test", str(mailbox)).returncode == 0  # signs in with the restored password


def test_a_backup_never_overwrites_and_a_restore_never_lands_on_an_install(tmp_path):
    install = Install(tmp_path / "a")
    install.manage("migrate", "--noinput", "-v", "0")
    archive = tmp_path / "backup.tar.gz"
    archive.write_text("something precious")
    refused = install.manage("backup", str(archive), check=False)
    assert refused.returncode != 0 and "already exists" in refused.stderr
    assert archive.read_text() == "something precious"
    archive.unlink()
    folder = install.manage("backup", str(tmp_path), check=False)
    assert folder.returncode != 0 and "is a folder: give the archive's file name" in folder.stderr
    missing = install.manage("restore", str(tmp_path / "nowhere.tar.gz"), check=False)
    assert missing.returncode != 0 and "is not an OTP Dash backup" in missing.stderr
    install.manage("backup", str(archive))
    again = install.manage("restore", str(archive), check=False)  # onto the install it came from
    assert again.returncode != 0 and "already holds an install" in again.stderr


@pytest.mark.parametrize(
    "members",
    [
        {"../escape": b"x", "otpdash-backup.json": b"{}"},
        {"otpdash-backup.json": json.dumps({"format": 99, "database": "sqlite", "files": []}).encode()},
        {"notes.txt": b"hello"},
    ],
    ids=["path outside the folder", "unknown format", "not a backup"],
)
def test_an_archive_that_is_not_our_backup_is_refused_and_nothing_is_written(tmp_path, members):
    archive = tmp_path / "odd.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    install = Install(tmp_path / "empty")
    result = install.manage("restore", str(archive), check=False)
    assert result.returncode != 0
    assert "backup" in result.stderr
    assert not (tmp_path / "escape").exists()
    assert not (tmp_path / "empty" / "encryption_keys").exists()


def test_the_without_keys_backup_says_the_keys_must_be_kept_elsewhere(tmp_path):
    install = Install(tmp_path / "a")
    install.manage("migrate", "--noinput", "-v", "0")
    out = install.manage("backup", "--without-keys", str(tmp_path / "b.tar.gz")).stdout
    assert "not in this archive" in out
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        assert sorted(tar.getnames()) == ["otpdash-backup.json", "otpdash.sqlite3"]


def test_a_postgresql_install_is_backed_up_with_pg_dump_and_restored_into_an_empty_database(tmp_path, dovecot):
    from tests import services
    from tests.mailgen import code_mail

    with services.pg_database() as source_url, services.pg_database() as target_url:
        source = Install(tmp_path / "source", database_url=source_url)
        mailbox = source.setup_member_and_mailbox(dovecot)
        dovecot.append([code_mail(3)])
        source.manage("scan", "--mailbox", str(mailbox))
        archive = tmp_path / "pg.tar.gz"
        source.manage("backup", str(archive))
        with tarfile.open(archive) as tar:
            assert sorted(tar.getnames()) == ["encryption_keys", "otpdash-backup.json", "otpdash.pgdump", "secret_key"]

        target = Install(tmp_path / "target", database_url=target_url)
        out = target.manage("restore", str(archive)).stdout
        assert "Restored otpdash.pgdump, secret_key, encryption_keys" in out
        assert not (tmp_path / "target" / "otpdash.pgdump").exists()  # the dump went into the database
        target.manage("migrate", "--noinput", "-v", "0")
        seen = target.manage("sightings", "--json").stdout
        assert seen == source.manage("sightings", "--json").stdout and "<code-3@otpdash.test>" in seen
        opened = target.manage(
            "shell", "-c", "from mailboxes.models import Mailbox; print(Mailbox.objects.get().get_secret())"
        )
        assert opened.stdout.strip().splitlines()[-1] == dovecot.users["alice"]
        again = target.manage("restore", str(archive), check=False)
        assert again.returncode != 0 and "already holds an install" in again.stderr


def _snapshot(folder) -> dict:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def _rebuilt(source, target, replace: dict[str, bytes | None]) -> None:
    """target: the archive at source with some members replaced (None: left out)."""
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            body = old.extractfile(member).read()
            if member.name in replace:
                if replace[member.name] is None:
                    continue
                body = replace[member.name]
            info = tarfile.TarInfo(member.name)
            info.size, info.mode = len(body), 0o600
            new.addfile(info, io.BytesIO(body))


@pytest.fixture(scope="module")
def good_backup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("good")
    source = Install(folder / "source")
    source.manage("migrate", "--noinput", "-v", "0")
    # A live session (as a signed-in browser has) and a queued task: neither belongs in a backup.
    source.manage("shell", "-c", "from django.contrib.sessions.backends.db import SessionStore; "
                  "s = SessionStore(); s['_auth_user_id'] = '1'; s.create(); print(s.session_key)")  # fmt: skip
    key = source.query("SELECT session_key FROM django_session")[0][0]
    source.manage("shell", "-c", "from django_q.tasks import async_task; async_task('notify.tasks.send_due')")
    source.manage("shell", "-c", "from django.core.cache import cache; cache.set('throttle:x', 3, 600)")
    source.manage("shell", "-c", "from otpdash.secretbox import seal; seal('makes the key file')")
    archives = {}
    for name, extra in (("with-keys", ()), ("without-keys", ("--without-keys",))):
        archives[name] = folder / f"{name}.tar.gz"
        source.manage("backup", *extra, str(archives[name]))
    return archives, key


def test_a_backup_never_holds_sessions_cache_or_tasks_and_every_member_is_private(good_backup, tmp_path):
    archives, session_key = good_backup
    with tarfile.open(archives["with-keys"]) as tar:
        assert {"secret_key", "encryption_keys"} <= set(tar.getnames())
    for archive in archives.values():
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                assert stat.S_IMODE(member.mode) == 0o600, member.name
            tar.extract("otpdash.sqlite3", tmp_path, filter="data")
        database = tmp_path / "otpdash.sqlite3"
        assert session_key.encode() not in database.read_bytes()  # not even in the file's free pages
        db = sqlite3.connect(database)
        for table in ("django_session", "otpdash_cache", "django_q_ormq", "django_q_task"):
            assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,), table
        assert db.execute("SELECT COUNT(*) FROM django_migrations").fetchone()[0] > 0
        db.close()
        database.unlink()


def _restore_fails(tmp_path, archive, *, says: str, extra_env=None):
    target = Install(tmp_path / "target")
    target.manage("check", "--deploy", check=False)  # start-up makes its folder and secret key
    before = _snapshot(tmp_path / "target")
    result = target.manage("restore", str(archive), check=False, extra_env=extra_env)
    assert result.returncode != 0 and says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert _snapshot(tmp_path / "target") == before  # left as it was found
    assert not [p for p in (tmp_path / "target").iterdir() if p.name.startswith(".")]
    return target


def test_a_restore_that_would_unpack_too_much_is_refused_before_writing(good_backup, tmp_path):
    archives, _ = good_backup
    target = _restore_fails(
        tmp_path,
        archives["with-keys"],
        says="OTPDASH_RESTORE_MAX_BYTES",
        extra_env={"OTPDASH_RESTORE_MAX_BYTES": "1000"},
    )
    assert target.manage("restore", str(archives["with-keys"])).returncode == 0  # the limit was all that stopped it


def test_a_database_that_is_not_sqlite_is_refused_and_the_next_restore_works(good_backup, tmp_path):
    archives, _ = good_backup
    bad = tmp_path / "bad.tar.gz"
    _rebuilt(archives["with-keys"], bad, {"otpdash.sqlite3": b"PGDMP this is not SQLite" * 100})
    target = _restore_fails(tmp_path, bad, says="not a SQLite database")
    assert target.manage("restore", str(archives["with-keys"])).returncode == 0


def test_a_sqlite_file_that_is_not_otp_dash_is_refused(good_backup, tmp_path):
    other = tmp_path / "other.sqlite3"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    bad = tmp_path / "bad.tar.gz"
    _rebuilt(good_backup[0]["with-keys"], bad, {"otpdash.sqlite3": other.read_bytes()})
    _restore_fails(tmp_path, bad, says="not an OTP Dash one")


@pytest.mark.parametrize(
    "manifest",
    [
        [],
        {"format": 1},
        {"format": 1, "database": "sqlite", "files": "otpdash.sqlite3", "created_at": "x"},
        {"format": 1, "database": "sqlite", "files": [1], "created_at": "x"},
        {"format": 1, "database": "oracle", "files": ["otpdash.sqlite3"], "created_at": "x"},
        {"format": 1, "database": "sqlite", "files": ["secret_key"], "created_at": "x"},
        {"format": 1, "database": "sqlite", "files": ["otpdash.sqlite3", "otpdash.sqlite3"], "created_at": "x"},
    ],
    ids=["a list", "no files", "files as text", "a number for a name", "unknown database", "no database", "twice"],
)
def test_a_manifest_of_the_wrong_shape_is_one_clear_message(good_backup, tmp_path, manifest):
    bad = tmp_path / "bad.tar.gz"
    _rebuilt(good_backup[0]["with-keys"], bad, {"otpdash-backup.json": json.dumps(manifest).encode()})
    _restore_fails(tmp_path, bad, says="backup")


@pytest.mark.parametrize(
    "name, body, says",
    [
        ("encryption_keys", b"not-a-fernet-key\n", "does not hold Fernet keys"),
        ("encryption_keys", b"", "does not hold Fernet keys"),
        ("secret_key", b"", "is not a secret key"),
        ("secret_key", b"x" * 100_000, "a key file is a few dozen"),
    ],
    ids=["encryption key not a key", "no encryption key", "empty secret key", "huge secret key"],
)
def test_key_files_that_hold_no_keys_are_refused(good_backup, tmp_path, name, body, says):
    bad = tmp_path / "bad.tar.gz"
    _rebuilt(good_backup[0]["with-keys"], bad, {name: body})
    _restore_fails(tmp_path, bad, says=says)
