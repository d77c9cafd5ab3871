"""Data at rest: a private data folder, sealed two-step secrets, and no guessing after a lost key."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.test import override_settings

from mailboxes.models import Mailbox
from otpdash import secretbox
from otpdash.datadir import make_private

ROOT = Path(__file__).resolve().parents[1]


def _manage(data_dir: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {"PATH": "/usr/bin:/bin", "OTPDASH_DATA_DIR": str(data_dir), **(env or {})}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_data_folder_and_its_database_are_private(tmp_path):
    data = tmp_path / "data"
    result = _manage(data, "migrate", "--noinput")
    assert result.returncode == 0, result.stderr
    # A first mailbox password makes the key file.
    add = _manage(
        data,
        "mailbox",
        "add",
        "--owner",
        "nobody",
        "--host",
        "h",
        "--username",
        "u",
        "--password-env",
        "PW",
        env={"PW": "x"},
    )
    assert _mode(data) == 0o700
    for name in ("otpdash.sqlite3", "secret_key"):
        assert _mode(data / name) == 0o600, name
    for name in ("otpdash.sqlite3-wal", "otpdash.sqlite3-shm"):
        if (data / name).exists():
            assert _mode(data / name) == 0o600, name
    assert add.returncode != 0  # no such owner: nothing was sealed, so no key was made either
    assert not (data / "encryption_keys").exists()


def test_loose_modes_are_tightened_at_start(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "otpdash.sqlite3").write_bytes(b"")
    (data / "secret_key").write_text("x")
    os.chmod(data / "otpdash.sqlite3", 0o644)
    os.chmod(data / "secret_key", 0o644)
    os.chmod(data, 0o755)
    assert make_private(data, data / "otpdash.sqlite3") == []
    assert _mode(data) == 0o700 and _mode(data / "otpdash.sqlite3") == 0o600 and _mode(data / "secret_key") == 0o600


@pytest.mark.django_db
def test_totp_secrets_and_recovery_seeds_are_sealed(member):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    totp = TOTP.activate(member, "JBSWY3DPEHPK3PXP")
    codes = RecoveryCodes.activate(member)
    stored = {a.type: a.data for a in Authenticator.objects.filter(user=member)}
    assert "JBSWY3DPEHPK3PXP" not in repr(stored)
    assert stored["totp"]["secret"].startswith("gAAAAA")
    assert stored["recovery_codes"]["seed"].startswith("gAAAAA")
    # allauth reads them back through the adapter.
    assert TOTP(totp.instance).instance.data["secret"] != "JBSWY3DPEHPK3PXP"
    assert len(RecoveryCodes(codes.instance).get_unused_codes()) > 0


@pytest.mark.django_db
def test_the_migration_seals_secrets_stored_in_clear(member):
    from importlib import import_module

    from django.apps import apps

    Authenticator.objects.create(user=member, type="totp", data={"secret": "JBSWY3DPEHPK3PXP"})
    import_module("accounts.migrations.0003_seal_mfa_secrets").seal_secrets(apps, None)
    data = Authenticator.objects.get(user=member).data
    assert data["secret"].startswith("gAAAAA")
    assert secretbox.unseal(data["secret"]) == "JBSWY3DPEHPK3PXP"


@pytest.mark.django_db
def test_no_key_is_made_when_sealed_data_exists_and_the_problem_is_said(member, tmp_path, client):
    from tests.people import join

    mailbox = Mailbox(owner=member, label="m", host="imap.example.org", username="u")
    mailbox.set_secret("pw")
    mailbox.save()
    admin = join(member.member.household, "carol", "admin", password="a long household password 3")
    lost = tmp_path / "encryption_keys"
    with override_settings(ENCRYPTION_KEYS=[], ENCRYPTION_KEY_FILE=lost):
        secretbox.forget_key_problem()
        with pytest.raises(secretbox.SecretUnreadable, match="restore that file"):
            mailbox.set_secret("another")
        assert not lost.exists()
        client.force_login(admin)
        page = client.get("/me/").content.decode()
        assert "Stored passwords cannot be opened" in page and "restore that file" in page
        client.force_login(member)
        assert "Stored passwords cannot be opened" not in client.get("/me/").content.decode()
    secretbox.forget_key_problem()


@pytest.mark.django_db
def test_keys_that_open_nothing_are_said_to_admins(member, client):
    from tests.people import join

    mailbox = Mailbox(owner=member, label="m", host="imap.example.org", username="u")
    mailbox.set_secret("pw")
    mailbox.save()
    admin = join(member.member.household, "carol", "admin", password="a long household password 3")
    with override_settings(ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        secretbox.forget_key_problem()
        client.force_login(admin)
        assert "None of the configured encryption keys opens" in client.get("/me/").content.decode()
    secretbox.forget_key_problem()


@pytest.mark.django_db
def test_the_first_secret_makes_a_private_key_file(tmp_path, member):
    path = tmp_path / "encryption_keys"
    Mailbox.objects.all().delete()
    with override_settings(ENCRYPTION_KEYS=[], ENCRYPTION_KEY_FILE=path):
        sealed = secretbox.seal("pw")
        assert _mode(path) == 0o600
        assert secretbox.unseal(sealed) == "pw"
