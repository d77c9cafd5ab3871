"""mailbox add/list/test/remove/resume, scan, import_mail and sightings, as an admin types them."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from mailboxes.models import Mailbox
from scanner.models import Finding, FolderCursor, Sighting
from tests.corpus_labels import CORPUS, load_cases
from tests.mailgen import CODE_MAIL_CODE, code_mail, lookalike

pytestmark = pytest.mark.django_db
CLASSIFY_KEYS = {
    "category",
    "provider",
    "template",
    "language",
    "codes",
    "account_hint",
    "sent_at",
    "sender_auth",
    "forwarded",
    "signin",
    "reasons",
    "error",
}


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def add_mailbox(dovecot, monkeypatch, *extra, user="alice", password=None, owner="alice"):
    monkeypatch.setenv("IMAP_PASSWORD", password or dovecot.users[user])
    return int(
        run(
            "mailbox",
            "add",
            "--owner",
            owner,
            "--host",
            "127.0.0.1",
            "--port",
            str(dovecot.imaps_port),
            "--security",
            "ssl",
            "--username",
            user,
            "--password-env",
            "IMAP_PASSWORD",
            "--ca-file",
            str(dovecot.ca_file),
            *extra,
        ).strip()
    )


def test_add_test_scan_list_and_remove(dovecot, member, monkeypatch):
    dovecot.append([code_mail(1), lookalike(2), b"Subject: lunch\r\n\r\nsoup?\r\n"])
    pk = add_mailbox(dovecot, monkeypatch)
    mailbox = Mailbox.objects.get(pk=pk)
    assert mailbox.owner == member and mailbox.folders == [] and mailbox.get_secret() == "alice-pass-1"

    tested = run("mailbox", "test", str(pk))
    assert "ok   Signing in" in tested and "ok   Opening INBOX: 3 messages" in tested and "Opening Junk" in tested

    scanned = run("scan", "--mailbox", str(pk))
    assert f"{pk} alice on 127.0.0.1 / INBOX: examined 3, read 2, new findings 2" in scanned
    assert f"{pk} alice on 127.0.0.1 / Junk: examined 0" in scanned

    listed = run("mailbox", "list")
    assert "state=ok" in listed and "examined=3" in listed and "findings=2" in listed
    assert "alice-pass-1" not in listed

    assert "Removed" in run("mailbox", "remove", str(pk))
    assert not Mailbox.objects.exists() and not FolderCursor.objects.exists() and not Sighting.objects.exists()
    assert Finding.objects.count() == 2  # the household's history stays


def test_add_refuses_bad_input_with_a_clear_message(member, monkeypatch, tmp_path):
    monkeypatch.delenv("NOPE", raising=False)
    with pytest.raises(CommandError, match="NOPE is not set"):
        run("mailbox", "add", "--owner", "alice", "--host", "h", "--username", "u", "--password-env", "NOPE")
    monkeypatch.setenv("PW", "x")
    with pytest.raises(CommandError, match="no user named 'carol'"):
        run("mailbox", "add", "--owner", "carol", "--host", "h", "--username", "u", "--password-env", "PW")
    with pytest.raises(CommandError, match="allowed only to this machine"):
        run(
            "mailbox",
            "add",
            "--owner",
            "alice",
            "--host",
            "imap.example.com",
            "--port",
            "143",
            "--security",
            "plain",
            "--username",
            "u",
            "--password-env",
            "PW",
        )
    with pytest.raises(CommandError, match="port"):
        run(
            "mailbox",
            "add",
            "--owner",
            "alice",
            "--host",
            "h",
            "--port",
            "70000",
            "--username",
            "u",
            "--password-env",
            "PW",
        )
    (tmp_path / "key.pem").write_text("-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n")
    add = ("mailbox", "add", "--owner", "alice", "--host", "h", "--username", "u", "--password-env", "PW")
    for ca_file, message in ((tmp_path / "nope.pem", "cannot be read"), (tmp_path, "not a regular file"),
                             (tmp_path / "key.pem", "not a PEM certificate")):  # fmt: skip
        with pytest.raises(CommandError, match=message):
            run(*add, "--ca-file", str(ca_file))
    assert not Mailbox.objects.exists()


def test_unknown_mailbox_ids_are_refused(db):
    for action in ("test", "remove", "resume"):
        with pytest.raises(CommandError, match="no mailbox with id '99'"):
            run("mailbox", action, "99")
    with pytest.raises(CommandError, match="no mailbox with id 'x'"):
        run("scan", "--mailbox", "x")


def test_mailbox_test_fails_with_the_step_for_a_bad_password(dovecot, member, monkeypatch):
    pk = add_mailbox(dovecot, monkeypatch, password="not-it")
    with pytest.raises(CommandError, match="Signing in failed: The server refused the sign-in") as error:
        run("mailbox", "test", str(pk))
    assert "not-it" not in str(error.value)


def test_repeated_sign_in_failures_pause_the_mailbox(dovecot, member, monkeypatch):
    pk = add_mailbox(dovecot, monkeypatch, password="not-it")
    for expected in ("auth_failed", "auth_failed", "paused"):
        with pytest.raises(SystemExit):
            run("scan", "--mailbox", str(pk))
        assert Mailbox.objects.get(pk=pk).state == expected
    mailbox = Mailbox.objects.get(pk=pk)
    assert "Paused after 3 failed sign-ins" in mailbox.last_error and "app password" in mailbox.last_error
    assert "state=paused" in run("mailbox", "list")
    with pytest.raises(CommandError, match="is paused"):
        run("scan", "--mailbox", str(pk))
    assert "Resumed" in run("mailbox", "resume", str(pk))
    assert Mailbox.objects.get(pk=pk).state == "new"


def test_scan_all_goes_on_after_a_broken_mailbox(dovecot, member, monkeypatch):
    dovecot.append([code_mail(1)])
    broken = add_mailbox(dovecot, monkeypatch, password="not-it")
    good = add_mailbox(dovecot, monkeypatch)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("scan", "--all", stdout=out, stderr=io.StringIO())
    assert f"{good} alice on 127.0.0.1 / INBOX: examined 1, read 1, new findings 1" in out.getvalue()
    assert Mailbox.objects.get(pk=broken).state == "auth_failed"


def test_import_mail_stores_what_classify_finds_once(member):
    cases = load_cases()
    expected_flagged = {c.file for c in cases if c.category != "none"}
    out = run("import_mail", "--owner", "alice", str(CORPUS))
    assert f"read {len(cases)} messages" in out
    flagged_sources = {s.folder.split(str(CORPUS) + "/", 1)[1] for s in Sighting.objects.all()}
    assert flagged_sources == expected_flagged
    again = run("import_mail", "--owner", "alice", str(CORPUS))
    assert f"0 new findings, {len(expected_flagged)} already known" in again
    assert Sighting.objects.count() == len(expected_flagged)


def test_import_mail_reports_unreadable_paths_and_goes_on(member, tmp_path):
    (tmp_path / "a.eml").write_bytes(code_mail(3))
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "import_mail",
            "--owner",
            "alice",
            str(tmp_path / "missing"),
            str(tmp_path / "a.eml"),
            stdout=io.StringIO(),
            stderr=err,
        )
    assert exit_.value.code == 2 and "no such file" in err.getvalue()
    assert Finding.objects.count() == 1


def test_sightings_json_has_the_classify_keys_and_never_a_full_code(dovecot, member, other_member, monkeypatch):
    dovecot.append([code_mail(1)])
    dovecot.append([code_mail(2)], user="bob")
    mine = add_mailbox(dovecot, monkeypatch)
    add_mailbox(dovecot, monkeypatch, user="bob", owner="bob")
    run("scan", "--all")
    lines = [json.loads(line) for line in run("sightings", "--json", "--owner", "alice").splitlines()]
    assert len(lines) == 1
    line = lines[0]
    assert CLASSIFY_KEYS | {"mailbox", "folder", "uid", "message_id"} <= set(line)
    assert (line["mailbox"], line["folder"], line["uid"], line["message_id"]) == (
        mine,
        "INBOX",
        1,
        "<code-1@otpdash.test>",
    )
    assert line["codes"] == ["****" + CODE_MAIL_CODE[-2:]] and line["category"] == "ms_code"
    everyone = run("sightings", "--json")
    assert len(everyone.splitlines()) == 2 and CODE_MAIL_CODE not in everyone
