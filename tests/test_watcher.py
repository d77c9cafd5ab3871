"""The watcher's threads in-process: IDLE, the polling fallback, reconnecting, and the supervisor."""

from __future__ import annotations

import threading
import time

import pytest

from mailboxes.models import Mailbox
from scanner.models import Finding
from scanner.watcher import FolderWatch, Supervisor
from tests.dovecot import MISSING, Dovecot, dovecot_binary
from tests.mailgen import code_mail

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until(predicate, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.fixture
def no_idle_dovecot():
    if dovecot_binary() is None:
        pytest.fail(MISSING, pytrace=False)
    server = Dovecot(
        {"alice": "alice-pass-1"}, extra_config="imap_capability = IMAP4rev1 LITERAL+ UIDPLUS MULTIAPPEND SPECIAL-USE\n"
    )
    yield server.start()
    server.destroy()


def mailbox_on(server, owner, **fields) -> Mailbox:
    mailbox = Mailbox(
        owner=owner,
        label="w",
        host="127.0.0.1",
        port=server.imaps_port,
        security="ssl",
        username="alice",
        ca_certificate=server.ca_file.read_text(),
        **fields,
    )
    mailbox.set_secret(server.users["alice"])
    mailbox.save()
    return mailbox


def run_watch(watch: FolderWatch):
    watch.start()
    return watch


def stop(watch: FolderWatch):
    watch.stop()
    watch.join(timeout=10)
    assert not watch.is_alive()


def test_a_server_without_idle_is_polled_on_the_same_connection(no_idle_dovecot, member):
    client = no_idle_dovecot.client()
    assert not client.has_capability("IDLE")
    client.logout()
    mailbox = mailbox_on(no_idle_dovecot, member)
    watch = run_watch(FolderWatch(mailbox.pk, "INBOX", None, poll_seconds=0.3))
    try:
        wait_until(lambda: Mailbox.objects.get(pk=mailbox.pk).state == "ok")
        no_idle_dovecot.append([code_mail(1)])
        wait_until(lambda: Finding.objects.filter(message_id="<code-1@otpdash.test>").exists())
    finally:
        stop(watch)


def test_idle_sees_new_mail_and_the_watch_reconnects_after_the_server_returns(dovecot, member):
    mailbox = mailbox_on(dovecot, member)
    dovecot.stop()  # down from the start: the thread must keep trying, with backoff, without recursion
    watch = run_watch(FolderWatch(mailbox.pk, "INBOX", None))
    try:
        wait_until(lambda: Mailbox.objects.get(pk=mailbox.pk).state == "error")
        assert "refused the connection" in Mailbox.objects.get(pk=mailbox.pk).last_error
        dovecot.start()
        wait_until(lambda: Mailbox.objects.get(pk=mailbox.pk).state == "ok", seconds=30)
        dovecot.append([code_mail(2)])
        wait_until(lambda: Finding.objects.filter(message_id="<code-2@otpdash.test>").exists(), seconds=10)
    finally:
        stop(watch)


def test_the_supervisor_follows_added_paused_and_removed_mailboxes(dovecot, member):
    stop_event = threading.Event()
    supervisor = Supervisor(stop_event, refresh=0.2)
    runner = threading.Thread(target=supervisor.run)
    runner.start()
    try:
        mailbox = mailbox_on(dovecot, member, folders=["INBOX", "Junk"])
        wait_until(lambda: set(supervisor.watches) == {(mailbox.pk, "INBOX"), (mailbox.pk, "Junk")})
        Mailbox.objects.filter(pk=mailbox.pk).update(state=Mailbox.State.PAUSED)
        wait_until(lambda: not supervisor.watches)
        Mailbox.objects.filter(pk=mailbox.pk).update(state=Mailbox.State.OK)
        wait_until(lambda: len(supervisor.watches) == 2)
        watches = list(supervisor.watches.values())
        mailbox.delete()
        wait_until(lambda: not supervisor.watches)
        for watch in watches:
            watch.join(timeout=10)
            assert not watch.is_alive()
    finally:
        stop_event.set()
        runner.join(timeout=15)
    assert not runner.is_alive()


def test_a_watch_stops_itself_when_sign_in_keeps_failing(dovecot, member, monkeypatch):
    import scanner.watcher as watcher

    monkeypatch.setattr(watcher, "BACKOFF_FIRST", 0.05)
    mailbox = mailbox_on(dovecot, member)
    mailbox.set_secret("wrong")
    mailbox.save()
    watch = run_watch(FolderWatch(mailbox.pk, "INBOX", None))
    watch.join(timeout=30)
    assert not watch.is_alive()
    mailbox.refresh_from_db()
    assert mailbox.state == "paused" and mailbox.auth_failures == 3


def test_idle_is_reissued_after_the_renewal_time(dovecot, member, monkeypatch):
    import imaplib

    sent = []
    original = imaplib.IMAP4.send

    def send(self, data):
        sent.append(bytes(data))
        return original(self, data)

    monkeypatch.setattr(imaplib.IMAP4, "send", send)
    mailbox = mailbox_on(dovecot, member)
    watch = run_watch(FolderWatch(mailbox.pk, "INBOX", None, renew_after=0.5))
    try:
        wait_until(lambda: sum(b" IDLE\r\n" in line for line in sent) >= 3, seconds=15)
    finally:
        stop(watch)
    assert sum(line == b"DONE\r\n" for line in sent) >= 2  # each IDLE was ended before the next


def test_mail_arriving_between_a_pass_and_idle_is_read_at_once(dovecot, member, monkeypatch):
    """IDLE reports only what arrives after it starts: mail that lands while a pass ends must not
    wait for the next renewal (25 minutes)."""
    import scanner.watcher as watcher

    mailbox = mailbox_on(dovecot, member, folders=["INBOX"])
    real_examine = watcher.FolderReader.examine
    calls = []

    def examine_after_new_mail(reader, name):
        calls.append(name)
        if len(calls) == 2:  # the pass examined first; this is the examine before IDLE
            dovecot.append([code_mail(3)])
        return real_examine(reader, name)

    monkeypatch.setattr(watcher.FolderReader, "examine", examine_after_new_mail)
    watch = run_watch(FolderWatch(mailbox.pk, "INBOX", None))
    try:
        wait_until(lambda: Finding.objects.filter(message_id="<code-3@otpdash.test>").exists(), seconds=10)
    finally:
        stop(watch)
