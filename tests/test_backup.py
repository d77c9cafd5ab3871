"""manage.py backup and restore, as processes on real installs: a backup taken while a scan writes is
one consistent state, restores into a new folder with the same findings, and opens the same mailbox
passwords; archives are private, never overwritten, and a restore never lands on an install."""

from __future__ import annotations

import io
import json
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
        if source.query("SELECT id FROM scanner_sighting LIMIT 1"):  # the scan is writing
            archive = tmp_path / f"during-{len(during)}.tar.gz"
            source.manage("backup", str(archive))
            during.append(archive)
        time.sleep(0.3)
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
        "shell", "-c", "from scanner.models import Mailbox; print(Mailbox.objects.get().get_secret())"
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
            "shell", "-c", "from scanner.models import Mailbox; print(Mailbox.objects.get().get_secret())"
        )
        assert opened.stdout.strip().splitlines()[-1] == dovecot.users["alice"]
        again = target.manage("restore", str(archive), check=False)
        assert again.returncode != 0 and "already holds an install" in again.stderr
