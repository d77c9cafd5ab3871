"""No mailbox secret in clear anywhere: database, logs, errors, admin pages; keys rotate."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from mailboxes.models import Mailbox
from otpdash.secretbox import SecretUnreadable
from scanner.scanning import scan_mailbox
from tests.mailgen import CODE_MAIL_CODE, code_mail

pytestmark = pytest.mark.django_db
OLD_KEY = "m0bZ2lq8Qo6x8pXw3H8oVq0yK2Xn6m0bZ2lq8Qo6x8o="
NEW_KEY = "N3wKey-5lq8Qo6x8pXw3H8oVq0yK2Xn6m0bZ2lq8Qo0="


def sealed_mailbox(member, key: str, label: str = "x", host: str = "imap.example.com") -> Mailbox:
    """A mailbox whose password was encrypted under `key` alone."""
    with override_settings(ENCRYPTION_KEYS=[key]):
        mailbox = Mailbox(owner=member, label=label, host=host, username="alice")
        mailbox.set_secret("s3cret")
        mailbox.save()
    return mailbox


def all_rows_text() -> str:
    """Every value of every table, as the database holds it."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_no_secret_or_code_in_the_database_the_logs_or_the_admin(
    dovecot, member, make_mailbox, caplog, admin_client, monkeypatch
):
    dovecot.append([code_mail(1)])
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="imapclient")  # even if an admin forces imapclient's debug log on
    mailbox = make_mailbox(member)
    scan_mailbox(mailbox)
    wrong = make_mailbox(member)
    wrong.set_secret("Wr0ng-Secret-Value")
    wrong.save()
    scan_mailbox(wrong)
    monkeypatch.setenv("PW", "alice-pass-1")
    listing = io.StringIO()
    call_command("mailbox", "list", stdout=listing)
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    pages = "".join(
        admin_client.get(url).content.decode()
        for url in (
            "/admin/mailboxes/mailbox/",
            f"/admin/mailboxes/mailbox/{mailbox.pk}/change/",
            "/admin/scanner/finding/",
        )
    )

    assert "Logged in as alice" in caplog.text  # imapclient's debug log really was on
    for secret in ("alice-pass-1", "Wr0ng-Secret-Value", CODE_MAIL_CODE):
        for name, text in (
            ("database", all_rows_text()),
            ("dumpdata", dump.getvalue()),
            ("logs", caplog.text),
            ("mailbox list", listing.getvalue()),
            ("admin", pages),
            ("last_error", Mailbox.objects.get(pk=wrong.pk).last_error),
        ):
            assert secret not in text, f"{secret!r} found in {name}"
    assert "refused the sign-in" in Mailbox.objects.get(pk=wrong.pk).last_error


def test_keys_rotate_newest_first_and_old_secrets_stay_readable(member):
    sealed_mailbox(member, OLD_KEY)
    with override_settings(ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        assert Mailbox.objects.get().get_secret() == "s3cret"
        out = io.StringIO()
        call_command("rotate_keys", stdout=out)
        assert "re-encrypted 1 mailbox secrets and 0 two-step secrets" in out.getvalue()
    with override_settings(ENCRYPTION_KEYS=[NEW_KEY]):
        assert Mailbox.objects.get().get_secret() == "s3cret"
    with override_settings(ENCRYPTION_KEYS=[OLD_KEY]):
        with pytest.raises(SecretUnreadable, match="enter the password again"):
            Mailbox.objects.get().get_secret()


def test_keys_rotate_for_alert_channels_too(member):
    from notify.models import Channel

    with override_settings(ENCRYPTION_KEYS=[OLD_KEY]):
        channel = Channel(member=member.member, label="Phone", kind=Channel.Kind.WEBHOOK)
        channel.set_url("https://hooks.example.org/otp", "https://hooks.example.org:443/****")
        secret = channel.new_secret()
        channel.save()
    with override_settings(ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        out = io.StringIO()
        call_command("rotate_keys", stdout=out)
        assert "re-encrypted 1 alert channels" in out.getvalue()
    with override_settings(ENCRYPTION_KEYS=[NEW_KEY]):
        channel = Channel.objects.get()
        assert (channel.get_url(), channel.get_secret()) == ("https://hooks.example.org/otp", secret)


def test_rotation_names_the_mailboxes_no_key_opens(member):
    sealed_mailbox(member, OLD_KEY, label="lost")
    with override_settings(ENCRYPTION_KEYS=[NEW_KEY]):
        with pytest.raises(CommandError, match="lost"):
            call_command("rotate_keys", stdout=io.StringIO())


def test_a_scan_with_an_unreadable_secret_says_what_to_do(member):
    mailbox = sealed_mailbox(member, OLD_KEY, host="127.0.0.1")
    with override_settings(ENCRYPTION_KEYS=[NEW_KEY]):
        report = scan_mailbox(mailbox)
    assert report.error is not None
    mailbox.refresh_from_db()
    # The server never saw a password: this is not a failed sign-in and never pauses the mailbox.
    assert mailbox.state == "error" and mailbox.auth_failures == 0
    assert "Decrypting the stored password failed" in mailbox.last_error
    assert "OTPDASH_ENCRYPTION_KEYS" in mailbox.last_error


def test_a_bad_key_in_the_environment_stops_start_up_with_a_clear_message(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    env = {"PATH": "/usr/bin:/bin", "OTPDASH_DATA_DIR": str(tmp_path), "OTPDASH_ENCRYPTION_KEYS": "not-a-key"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "not a Fernet key" in result.stderr
