"""Scanning a real Dovecot: read-only, incremental, exactly once, whatever fails in the middle."""

from __future__ import annotations

import imaplib
import json

import pytest

from mailboxes.models import Mailbox
from scanner import scanning, store
from scanner.models import Finding, FolderCursor, Sighting
from scanner.scanning import scan_mailbox
from tests.corpus_labels import CORPUS
from tests.mailgen import CODE_MAIL_CODE, code_mail, lookalike, mailbox_mix

pytestmark = pytest.mark.django_db

READ_ONLY_COMMANDS = {"CAPABILITY", "LOGIN", "LIST", "NAMESPACE", "EXAMINE", "UID", "LOGOUT", "NOOP", "STARTTLS"}


@pytest.fixture
def sent_commands(monkeypatch):
    """Every command line this process sends to an IMAP server: (verb, rest of the line)."""
    lines = []
    original = imaplib.IMAP4.send

    def send(self, data):
        text = bytes(data).decode("ascii", "replace")
        for line in text.split("\r\n"):
            parts = line.split(" ", 2)
            if len(parts) >= 2 and parts[0] and not parts[0].startswith("{"):
                lines.append((parts[1].upper(), parts[2] if len(parts) > 2 else ""))
        return original(self, data)

    monkeypatch.setattr(imaplib.IMAP4, "send", send)
    return lines


def without_recent(flags: dict) -> dict:
    return {uid: tuple(f for f in value if f != b"\\Recent") for uid, value in flags.items()}


def test_first_scan_finds_codes_in_inbox_and_junk_and_changes_no_flag(dovecot, member, make_mailbox, sent_commands):
    messages, codes, fakes = mailbox_mix(200)
    dovecot.append([{"msg": m, "flags": (b"\\Seen",) if i % 3 == 0 else ()} for i, m in enumerate(messages)])
    dovecot.append([code_mail(900)], folder="Junk")
    before = {folder: without_recent(dovecot.flags(folder)) for folder in ("INBOX", "Junk")}
    mailbox = make_mailbox(member)
    sent_commands.clear()

    report = scan_mailbox(mailbox)
    commands = list(sent_commands)

    assert report.error is None and not report.busy
    assert [(f.folder, f.examined, f.found) for f in report.folders] == [("INBOX", 200, codes + fakes), ("Junk", 1, 1)]
    assert {folder: without_recent(dovecot.flags(folder)) for folder in ("INBOX", "Junk")} == before
    verbs = {verb for verb, _ in commands}
    assert verbs <= READ_ONLY_COMMANDS, verbs - READ_ONLY_COMMANDS
    uid_verbs = {rest.split(" ", 1)[0].upper() for verb, rest in commands if verb == "UID"}
    assert uid_verbs == {"SEARCH", "FETCH"}
    fetches = [rest for verb, rest in commands if verb == "UID" and rest.upper().startswith("FETCH")]
    assert fetches and all(
        "BODY.PEEK[" in f.upper() and "BODY[" not in f.upper().replace("BODY.PEEK[", "") for f in fetches
    )
    assert Finding.objects.filter(category="ms_code").count() == codes + 1
    assert Finding.objects.filter(category="phishing").count() == fakes
    mailbox.refresh_from_db()
    assert (mailbox.state, mailbox.discovered_folders, mailbox.examined_total) == ("ok", ["INBOX", "Junk"], 201)


def test_what_is_stored_is_the_verdict_with_the_code_masked(dovecot, member, make_mailbox):
    dovecot.append([code_mail(1)])
    scan_mailbox(make_mailbox(member))
    finding = Finding.objects.get()
    assert finding.codes_masked == ["****" + CODE_MAIL_CODE[-2:]]
    assert (finding.category, finding.provider, finding.message_id) == ("ms_code", "microsoft", "<code-1@otpdash.test>")
    assert finding.sender_auth == "pass" and finding.template and finding.language == "en"
    sighting = Sighting.objects.get()
    assert (sighting.folder, sighting.uid) == ("INBOX", 1)
    stored = json.dumps([list(Finding.objects.values()), list(Sighting.objects.values())], default=str)
    assert CODE_MAIL_CODE not in stored


def test_pass_with_no_new_mail_sends_one_examine_per_folder_and_nothing_else(
    dovecot, member, make_mailbox, sent_commands
):
    dovecot.append(mailbox_mix(300)[0])
    mailbox = make_mailbox(member)
    scan_mailbox(mailbox)
    sent_commands.clear()

    report = scan_mailbox(mailbox)

    assert report.examined == 0
    verbs = [verb for verb, _ in sent_commands]
    assert verbs.count("EXAMINE") == 2 and "UID" not in verbs
    assert len(verbs) <= 8, verbs  # login, capability, list, two examines, logout: not proportional to the folder


def test_new_mail_is_read_incrementally(dovecot, member, make_mailbox, sent_commands):
    dovecot.append(mailbox_mix(100)[0])
    mailbox = make_mailbox(member)
    scan_mailbox(mailbox)
    dovecot.append([code_mail(500), lookalike(501)])
    sent_commands.clear()

    report = scan_mailbox(mailbox)

    assert [(f.folder, f.examined, f.found) for f in report.folders] == [("INBOX", 2, 2), ("Junk", 0, 0)]
    searches = [rest for verb, rest in sent_commands if verb == "UID" and rest.upper().startswith("SEARCH")]
    assert searches == ["SEARCH UID 101:*"]
    assert FolderCursor.objects.get(mailbox=mailbox, folder="INBOX").last_uid == 102


def test_the_same_message_in_two_folders_and_two_mailboxes_is_one_finding(dovecot, member, make_mailbox):
    dovecot.append([code_mail(7)])
    dovecot.append([code_mail(7)], folder="Junk")
    dovecot.append([code_mail(7)], user="bob")
    first, second = make_mailbox(member), make_mailbox(member, user="bob")
    scan_mailbox(first)
    scan_mailbox(second)
    finding = Finding.objects.get()
    assert sorted((s.mailbox_id, s.folder) for s in finding.sightings.all()) == sorted(
        [(first.pk, "INBOX"), (first.pk, "Junk"), (second.pk, "INBOX")]
    )


def test_uidvalidity_change_rescans_the_window_and_records_nothing_twice(dovecot, member, make_mailbox):
    messages, codes, fakes = mailbox_mix(120)
    dovecot.append(messages)
    mailbox = make_mailbox(member, folders=["INBOX"])
    scan_mailbox(mailbox)
    assert Finding.objects.count() == codes + fakes
    dovecot.doveadm("mailbox", "update", "-u", "alice", "--uid-validity", "4242", "INBOX")

    report = scan_mailbox(mailbox)

    assert report.folders[0].examined == 120 and report.folders[0].found == 0
    assert Finding.objects.count() == codes + fakes
    assert Sighting.objects.count() == codes + fakes
    assert set(Sighting.objects.values_list("uidvalidity", flat=True)) == {4242}
    assert FolderCursor.objects.get(mailbox=mailbox).uidvalidity == 4242


def test_server_stopped_in_the_middle_of_a_pass_loses_nothing_and_duplicates_nothing(
    dovecot, member, make_mailbox, monkeypatch
):
    messages, codes, fakes = mailbox_mix(100)
    dovecot.append(messages)
    mailbox = make_mailbox(member, folders=["INBOX"])
    monkeypatch.setattr(scanning, "HEADER_BATCH", 20)
    batches = []
    real_record = scanning.record_batch

    def record_then_kill_server(*args, **kwargs):
        result = real_record(*args, **kwargs)
        batches.append(args[3])
        if len(batches) == 2:
            dovecot.stop()
        return result

    monkeypatch.setattr(scanning, "record_batch", record_then_kill_server)
    report = scan_mailbox(mailbox)

    assert report.error is not None and report.error.step == "read"
    mailbox.refresh_from_db()
    assert mailbox.state == "error" and "connection was lost" in mailbox.last_error
    # The scan reads one batch ahead of what it stores: the third batch was read before the server
    # stopped, so it is stored too, and the cursor stops after it.
    assert FolderCursor.objects.get(mailbox=mailbox).last_uid == 60
    assert mailbox.examined_total == 60  # the stored batches count, though the pass failed
    kept = Finding.objects.count()
    assert 0 < kept < codes + fakes

    dovecot.start()
    monkeypatch.setattr(scanning, "record_batch", real_record)
    report = scan_mailbox(mailbox)

    assert report.error is None and report.folders[0].examined == 40
    mailbox.refresh_from_db()
    assert mailbox.examined_total == 100
    assert Finding.objects.count() == codes + fakes
    assert Sighting.objects.count() == codes + fakes
    assert sorted(Sighting.objects.values_list("uid", flat=True)) == sorted(
        i + 1 for i in range(100) if i % 50 == 25 or i % 100 == 60
    )


def test_a_failure_inside_a_batch_keeps_neither_its_findings_nor_its_cursor(dovecot, member, make_mailbox, monkeypatch):
    dovecot.append([code_mail(1), lookalike(2)])
    mailbox = make_mailbox(member, folders=["INBOX"])

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_advance_cursor", broken)
    with pytest.raises(RuntimeError):
        scan_mailbox(mailbox)
    assert not Finding.objects.exists() and not Sighting.objects.exists() and not FolderCursor.objects.exists()
    mailbox.refresh_from_db()
    assert mailbox.state == "error" and not mailbox.is_scanning

    monkeypatch.undo()
    scan_mailbox(mailbox)
    assert Finding.objects.count() == 2 and Sighting.objects.count() == 2


def test_a_missing_folder_is_named_and_the_other_folders_are_still_read(dovecot, member, make_mailbox):
    dovecot.append([code_mail(1)])
    mailbox = make_mailbox(member, folders=["INBOX", "Archive/2019"])
    report = scan_mailbox(mailbox)
    assert report.folders[0].found == 1
    assert "'Archive/2019' cannot be opened" in report.folders[1].error
    assert "Folders on this server: " in report.folders[1].error and "Junk" in report.folders[1].error
    mailbox.refresh_from_db()
    assert mailbox.state == "error" and "Archive/2019" in mailbox.last_error
    assert mailbox.examined_total == 1


def test_backfill_window_skips_old_mail_but_the_cursor_passes_it(dovecot, member, make_mailbox):
    from datetime import datetime, timedelta, timezone

    old = datetime.now(timezone.utc) - timedelta(days=200)
    dovecot.append([{"msg": code_mail(1), "date": old}, code_mail(2)])
    mailbox = make_mailbox(member, folders=["INBOX"], backfill_days=90)
    report = scan_mailbox(mailbox)
    assert report.folders[0].examined == 1
    assert list(Finding.objects.values_list("message_id", flat=True)) == ["<code-2@otpdash.test>"]
    assert FolderCursor.objects.get().last_uid == 2


@pytest.mark.parametrize("read", ["whole", "by_structure"])
def test_scan_of_the_corpus_through_dovecot_finds_what_classify_finds(dovecot, member, make_mailbox, monkeypatch, read):
    """The header-first pre-filter loses nothing the full detector would find; nor does reading a
    message by its structure (its text and attached-message parts only) instead of whole."""
    from detect import detect
    from scanner.imap import reader

    if read == "by_structure":
        monkeypatch.setattr(reader, "WHOLE_LIMIT", 0)
    files = sorted(CORPUS.rglob("*.eml"))
    raws = [path.read_bytes() for path in files]
    dovecot.append(raws)
    scan_mailbox(make_mailbox(member, folders=["INBOX"]))
    expected = {}
    for raw in raws:
        detected = detect(raw)
        if store.worth_storing(detected):
            key = store.message_key(detected, raw)
            expected.setdefault(key, (detected.category, [code[-2:] for code in detected.codes]))
    stored = {
        key: (category, [code[-2:] for code in codes])
        for key, category, codes in Finding.objects.values_list("message_key", "category", "codes_masked")
    }
    assert stored == expected
    assert len(stored) > 40


@pytest.mark.django_db(transaction=True)  # long enough for the lock heartbeat, which has its own connection
def test_a_mailbox_of_20000_messages(dovecot, member, make_mailbox):
    messages, codes, fakes = mailbox_mix(20_000)
    dovecot.append(messages)
    del messages
    mailbox = make_mailbox(member, folders=["INBOX"])
    report = scan_mailbox(mailbox)
    assert report.error is None
    assert (report.examined, report.found) == (20_000, codes + fakes)
    assert report.folders[0].candidates < 2_000  # bodies fetched for candidates only, not for every message
    assert scan_mailbox(mailbox).examined == 0
    assert Sighting.objects.count() == codes + fakes


def test_the_lock_lets_only_one_scan_in(dovecot, member, make_mailbox):
    mailbox = make_mailbox(member)
    assert mailbox.try_lock("other-worker")
    report = scan_mailbox(mailbox)
    assert report.busy and not report.folders
    mailbox.unlock("someone-else")  # only the holder can release it
    assert scan_mailbox(mailbox).busy
    mailbox.unlock("other-worker")
    assert not scan_mailbox(mailbox).busy


def test_an_expired_lock_is_taken_over(member, db):
    from django.utils import timezone

    mailbox = Mailbox(owner=member, label="x", host="127.0.0.1", username="a")
    mailbox.set_secret("s")
    mailbox.save()
    assert mailbox.try_lock("crashed-worker")
    Mailbox.objects.filter(pk=mailbox.pk).update(locked_until=timezone.now())
    assert mailbox.try_lock("new-worker")
    assert not mailbox.renew_lock("crashed-worker") and mailbox.renew_lock("new-worker")


def test_uid_sets_are_written_as_ranges():
    from scanner.imap.reader import uid_set

    assert uid_set([]) == ""
    assert uid_set([7]) == "7"
    assert uid_set([1, 2, 3, 5, 7, 8, 10]) == "1:3,5,7:8,10"


def _with_attachment_first(raw: bytes, attachment_bytes: int) -> bytes:
    """The code mail as a multipart/mixed whose first part is a large attachment, then its own body."""
    import base64
    import os

    head, _, body = raw.partition(b"\r\n\r\n")
    lines = [
        line
        for line in head.split(b"\r\n")
        if not line.lower().startswith((b"content-type", b"mime-version", b"content-transfer-encoding"))
    ]
    original_type = [line for line in head.split(b"\r\n") if line.lower().startswith(b"content-type")]
    blob = base64.encodebytes(os.urandom(attachment_bytes)).replace(b"\n", b"\r\n")
    return (
        b"\r\n".join(lines) + b'\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="outer"\r\n\r\n'
        b"--outer\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="big.bin"\r\n\r\n'
        + blob
        + b"\r\n--outer\r\n"
        + (original_type[0] if original_type else b"Content-Type: text/plain")
        + b"\r\n\r\n"
        + body
        + b"\r\n--outer--\r\n"
    )


def test_a_code_after_a_large_attachment_is_found_and_the_attachment_is_never_fetched(
    dovecot, member, make_mailbox, sent_commands
):
    raw = _with_attachment_first(code_mail(1), 6 * 1024 * 1024)
    assert len(raw) > 8 * 1024 * 1024
    dovecot.append([raw])
    mailbox = make_mailbox(member, folders=["INBOX"])
    report = scan_mailbox(mailbox)
    assert report.error is None and report.found == 1
    finding = Finding.objects.get()
    assert finding.category == "ms_code" and finding.codes_masked == ["****" + CODE_MAIL_CODE[-2:]]
    fetches = [rest for verb, rest in sent_commands if verb == "UID" and "FETCH" in rest.upper()]
    assert any("BODYSTRUCTURE" in rest for rest in fetches)
    # The attachment (part 1) is never read beyond the pre-filter's first 2 KiB of it.
    import re

    assert not any(re.search(r"BODY\.PEEK\[1(?:\.|\](?!<0\.2048>))", rest) or "BODY.PEEK[]" in rest
                   for rest in fetches), fetches  # fmt: skip
    # Only the text parts (inside part 2, the original multipart/alternative), each capped.
    assert any("BODY.PEEK[2.1]<0." in rest and "BODY.PEEK[2.2]<0." in rest for rest in fetches), fetches


def test_the_same_large_message_in_two_folders_is_one_finding(dovecot, member, make_mailbox):
    raw = _with_attachment_first(code_mail(2), 400 * 1024).replace(b"Message-ID", b"X-Old-Message-ID")
    dovecot.append([raw])
    dovecot.append([raw], folder="Junk")
    mailbox = make_mailbox(member, folders=["INBOX", "Junk"])
    scan_mailbox(mailbox)
    assert Finding.objects.count() == 1 and Sighting.objects.count() == 2


@pytest.mark.django_db(transaction=True)  # long enough for the lock heartbeat, which has its own connection
def test_hostile_mail_neither_stops_nor_hides_the_genuine_code_after_it(dovecot, member, make_mailbox, client):
    """Every crafted message of the hostile corpus, then a genuine code: one pass reads them all,
    the cursor passes them, the code is recorded, and what could not be read is recorded and shown."""
    import time

    from tests.corpus.hostile.make_hostile import cases
    from tests.people import sign_in

    hostile = cases()
    dovecot.append(list(hostile.values()) + [code_mail(7)])
    mailbox = make_mailbox(member, folders=["INBOX"])
    started = time.thread_time()
    report = scan_mailbox(mailbox)
    spent = time.thread_time() - started
    assert report.error is None and report.examined == len(hostile) + 1
    assert FolderCursor.objects.get(mailbox=mailbox).last_uid == len(hostile) + 1
    assert Finding.objects.filter(message_id="<code-7@otpdash.test>", category="ms_code").exists()
    unreadable = Finding.objects.filter(category="unreadable")
    assert unreadable.exists()
    # Each message is within its CPU budget, so the pass is within the sum of the budgets.
    from detect.budget import DEFAULT_SECONDS

    assert spent < DEFAULT_SECONDS * (len(hostile) + 1), spent
    page = sign_in(client, member).get("/codes/").content.decode()
    assert "could not be read" in page and "multipart" in page
