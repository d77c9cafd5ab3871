"""A first scan's progress: reported per batch through a real Dovecot, stored for the mailbox page,
shown there while it runs (never once done, failed or stale), and printed by `manage.py scan`."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import OutputWrapper
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mailboxes.models import Mailbox, ScanProgress
from mailboxes.progress import progress_words, seconds_left, time_left_words
from scanner import scanning
from scanner.management.commands.scan import FolderProgress
from scanner.scanning import scan_mailbox
from tests.mailgen import mailbox_mix
from tests.people import sign_in

pytestmark = pytest.mark.django_db


class Watched:
    """A progress hook that stores as the scanner's default does, and notes what each call saw."""

    def __init__(self, mailbox: Mailbox):
        self.store = ScanProgress.recorder(mailbox.pk)
        self.mailbox = mailbox
        self.calls: list[tuple[str, int, int]] = []
        self.queries: list[int] = []  # what each call cost the database
        self.running: list[bool] = []  # how the stored row read to the page just after each call

    def __call__(self, folder: str, examined: int, total: int) -> None:
        with CaptureQueriesContext(connection) as captured:
            self.store(folder, examined, total)
        self.calls.append((folder, examined, total))
        self.queries.append(len(captured))
        self.running.append(ScanProgress.objects.get(mailbox=self.mailbox).running())


def seed(dovecot, total: int) -> None:
    messages, _, _ = mailbox_mix(total)
    dovecot.append(messages)


# --- the words ---


def test_the_estimate_waits_for_a_batch_then_follows_the_rate_so_far():
    assert seconds_left(0, 20000, 5.0) is None  # no batch yet: no rate
    assert seconds_left(12000, 20000, 180.0) == pytest.approx(120.0)
    assert [time_left_words(s) for s in (None, 20, 120, 5400, 7200)] == [
        "estimating…",
        "less than a minute left",
        "about 2 min left",
        "about 1 h 30 min left",
        "about 2 h left",
    ]
    assert progress_words(12000, 20000, 120) == "12,000 of 20,000 messages, about 2 min left"
    assert progress_words(20000, 20000, 0) == "20,000 of 20,000 messages, done"


# --- the scan, through Dovecot ---


def test_a_first_scan_reports_each_batch_up_to_the_total_and_ends_done(dovecot, member, make_mailbox):
    seed(dovecot, 2500)
    mailbox = make_mailbox(member, folders=["INBOX"])
    watched = Watched(mailbox)

    report = scan_mailbox(mailbox, progress=watched)

    assert report.error is None and report.examined == 2500
    assert watched.calls == [("INBOX", 0, 2500), ("INBOX", 1000, 2500), ("INBOX", 2000, 2500), ("INBOX", 2500, 2500)]
    # One UPDATE per batch, not per message (the folder's start may look the row up first).
    assert watched.queries[1:] == [1, 1, 1]
    assert watched.running == [True, True, True, False]  # shown while the scan reads, not after its last batch
    stored = ScanProgress.objects.get(mailbox=mailbox)
    assert (stored.folder, stored.examined, stored.total, stored.done) == ("INBOX", 2500, 2500, True)
    assert stored.started_at <= stored.updated_at
    mailbox.refresh_from_db()
    assert mailbox.first_scan is None


def test_the_default_hook_stores_progress_and_an_incremental_pass_reports_none(dovecot, member, make_mailbox):
    seed(dovecot, 1200)
    mailbox = make_mailbox(member, folders=["INBOX"])
    scan_mailbox(mailbox)  # the scanner's own default: stored for the page
    stored = ScanProgress.objects.get(mailbox=mailbox)
    assert (stored.examined, stored.total) == (1200, 1200)

    seed(dovecot, 3)
    watched = Watched(mailbox)
    report = scan_mailbox(mailbox, progress=watched)

    assert report.examined == 3
    assert watched.calls == []  # what arrived since the last pass: no bar
    assert ScanProgress.objects.get(mailbox=mailbox).updated_at == stored.updated_at


def test_two_folders_each_report_and_an_empty_one_is_done_at_once(dovecot, member, make_mailbox):
    seed(dovecot, 1200)
    mailbox = make_mailbox(member, folders=["INBOX", "Junk"])  # Junk holds nothing
    watched = Watched(mailbox)

    report = scan_mailbox(mailbox, progress=watched)

    assert [(f.folder, f.examined) for f in report.folders] == [("INBOX", 1200), ("Junk", 0)]
    assert watched.calls == [("INBOX", 0, 1200), ("INBOX", 1000, 1200), ("INBOX", 1200, 1200), ("Junk", 0, 0)]
    assert watched.running[-1] is False  # 0 of 0 never reads as under way
    stored = ScanProgress.objects.get(mailbox=mailbox)
    assert (stored.folder, stored.done) == ("Junk", True)


def test_a_renumbered_folder_is_a_first_read_again(dovecot, member, make_mailbox):
    seed(dovecot, 1200)
    mailbox = make_mailbox(member, folders=["INBOX"])
    scan_mailbox(mailbox)
    dovecot.doveadm("mailbox", "update", "-u", "alice", "--uid-validity", "4242", "INBOX")
    watched = Watched(mailbox)

    scan_mailbox(mailbox, progress=watched)

    assert watched.calls == [("INBOX", 0, 1200), ("INBOX", 1000, 1200), ("INBOX", 1200, 1200)]


def test_a_scan_that_fails_midway_reads_as_stopped_and_the_next_pass_shows_the_rest(
    dovecot, member, make_mailbox, monkeypatch
):
    seed(dovecot, 4000)
    mailbox = make_mailbox(member, folders=["INBOX"])
    watched = Watched(mailbox)
    real_record = scanning.record_batch

    def record_then_stop_server(*args, **kwargs):
        result = real_record(*args, **kwargs)
        dovecot.stop()  # the connection is gone once the first batch is stored
        return result

    monkeypatch.setattr(scanning, "record_batch", record_then_stop_server)
    report = scan_mailbox(mailbox, progress=watched)

    # However far a batch read ahead got before the server went, only stored batches were reported.
    assert report.error is not None
    stored = ScanProgress.objects.get(mailbox=mailbox)
    assert watched.calls[0] == ("INBOX", 0, 4000) and watched.calls[-1] == ("INBOX", report.examined, 4000)
    assert [examined for _, examined, _ in watched.calls] == list(range(0, report.examined + 1, 1000))
    assert (stored.examined, stored.total, stored.done) == (report.examined, 4000, False)
    assert 1000 <= stored.examined <= 2000
    mailbox.refresh_from_db()
    assert not stored.running() and mailbox.first_scan is None  # the failed scan unlocked: nothing runs

    # Resumed above its cursor: the rest of the first read, more than a batch, so followed too.
    rest = 4000 - stored.examined
    dovecot.start()
    monkeypatch.setattr(scanning, "record_batch", real_record)
    watched = Watched(mailbox)
    report = scan_mailbox(mailbox, progress=watched)

    assert report.error is None and report.examined == rest
    assert watched.calls == [("INBOX", n, rest) for n in [*range(0, rest, 1000), rest]]
    assert ScanProgress.objects.get(mailbox=mailbox).done


# --- what reads as running ---


@pytest.fixture
def mailbox(member):
    mailbox = Mailbox(owner=member, label="Alice home", host="imap.example.com", username="alice@example.com")
    mailbox.set_secret("x")
    mailbox.save()
    return mailbox


def in_progress(mailbox, examined=12000, total=20000, started_ago=180, updated_ago=0, locked=True) -> ScanProgress:
    now = timezone.now()
    # A scan holds the mailbox's lock while it runs; a killed one leaves its lease to lapse.
    lease = timedelta(minutes=1) if locked else -timedelta(seconds=1)
    Mailbox.objects.filter(pk=mailbox.pk).update(lock_token="scan", locked_until=now + lease)
    mailbox.refresh_from_db()
    return ScanProgress.objects.create(
        mailbox=mailbox,
        folder="INBOX",
        examined=examined,
        total=total,
        started_at=now - timedelta(seconds=started_ago),
        updated_at=now - timedelta(seconds=updated_ago),
    )


def test_progress_reads_as_running_only_while_it_moves_under_the_lock(mailbox):
    assert in_progress(mailbox).running()
    ScanProgress.objects.all().delete()
    # A scan whose process was killed: its lease has lapsed though its last batch was a moment ago.
    assert not in_progress(mailbox, locked=False).running()
    ScanProgress.objects.all().delete()
    # The lock still renewed, but nothing moved for longer than any batch takes: a hung read.
    stale = int(ScanProgress.STALE_AFTER.total_seconds()) + 60
    assert not in_progress(mailbox, started_ago=stale + 60, updated_ago=stale).running()
    ScanProgress.objects.all().delete()
    assert not in_progress(mailbox, examined=20000).running()


# --- the pages ---


@pytest.fixture
def alice_client(client, member):
    return sign_in(client, member)


def test_the_mailbox_page_shows_a_running_first_scan(alice_client, mailbox):
    in_progress(mailbox)

    for response in (
        alice_client.get(reverse("mailboxes")),
        alice_client.get(reverse("mailboxes"), headers={"HX-Request": "true"}),  # the 15 s refresh
        alice_client.get(reverse("mailbox_edit", args=[mailbox.code])),
    ):
        page = response.content.decode()
        assert f'<progress id="scan-progress-{mailbox.code}" value="12000" max="20000">60%</progress>' in page
        assert f'<label for="scan-progress-{mailbox.code}">' in page  # its accessible name
        assert "First scan of INBOX: 12,000 of 20,000 messages, about 2 min left" in page


def test_before_the_first_batch_the_page_says_it_is_estimating(alice_client, mailbox):
    in_progress(mailbox, examined=0, started_ago=2)
    page = alice_client.get(reverse("mailboxes")).content.decode()
    assert 'value="0" max="20000"' in page and "0 of 20,000 messages, estimating…" in page


@pytest.mark.parametrize(
    "state",
    [
        dict(examined=20000),  # done
        dict(locked=False),  # the scan was killed: its lease has lapsed
        dict(started_ago=1500, updated_ago=900),  # stale: no batch for 15 minutes
    ],
    ids=["done", "unlocked", "stale"],
)
def test_no_progress_is_shown_once_done_or_when_the_scan_stopped(alice_client, mailbox, state):
    in_progress(mailbox, **state)
    for url in (reverse("mailboxes"), reverse("mailbox_edit", args=[mailbox.code])):
        page = alice_client.get(url).content.decode()
        assert "<progress" not in page and "First scan of" not in page


def test_a_mailbox_that_never_had_a_first_scan_shows_none(alice_client, mailbox):
    page = alice_client.get(reverse("mailboxes")).content.decode()
    assert mailbox.label in page and "<progress" not in page


# --- manage.py scan ---


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def scan_command(mailbox, out) -> str:
    call_command("scan", "--mailbox", str(mailbox.pk), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_scan_prints_plain_lines_when_not_a_terminal(dovecot, member, make_mailbox):
    seed(dovecot, 1500)
    mailbox = make_mailbox(member, folders=["INBOX"])
    prefix = f"{mailbox.pk} {mailbox.label} / INBOX"

    output = scan_command(mailbox, io.StringIO())

    lines = output.splitlines()
    assert lines[:3] == [f"{prefix}: 0 of 1500 (0%)", f"{prefix}: 1000 of 1500 (66%)", f"{prefix}: 1500 of 1500 (100%)"]
    assert len(lines) == 4 and lines[3].startswith(f"{prefix}: examined 1500, read ")  # then the report, as before
    assert "\r" not in output and "\x1b" not in output
    assert ScanProgress.objects.get(mailbox=mailbox).done  # stored for the page as well

    seed(dovecot, 2)
    assert scan_command(mailbox, io.StringIO()).splitlines() == [
        f"{prefix}: examined 2, read 0, new findings 0"  # an incremental pass: no progress lines
    ]


def test_scan_draws_a_bar_in_place_on_a_terminal(dovecot, member, make_mailbox, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    seed(dovecot, 1500)
    mailbox = make_mailbox(member, folders=["INBOX"])

    output = scan_command(mailbox, Terminal())

    bar, report = output.split("\n")[:2]
    draws = bar.split("\r")[1:]
    assert len(draws) == 3  # the folder's start and its two batches, redrawn on one line
    assert "[....................] 0% 0 of 1,500 messages, estimating…" in draws[0]
    assert "[#############.......] 66% 1,000 of 1,500 messages, " in draws[1] and "left" in draws[1]
    assert draws[2].endswith("[####################] 100% 1,500 of 1,500 messages, done\x1b[K")
    assert report.startswith(f"{mailbox.pk} {mailbox.label} / INBOX: examined 1500")


def test_the_bar_fits_a_narrow_terminal_and_a_scan_that_stopped_ends_its_line(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    out = Terminal()
    stored = []
    shown = FolderProgress(OutputWrapper(out), "7 A mailbox with a long name", lambda *call: stored.append(call))

    shown("INBOX", 0, 20000)
    shown("INBOX", 1000, 20000)
    shown.finish()  # the scan failed before its next batch

    assert stored == [("INBOX", 0, 20000), ("INBOX", 1000, 20000)]
    draws = out.getvalue().split("\r")[1:]
    assert all(len(draw.split("\x1b[K")[0]) <= 39 for draw in draws)  # never wraps, so it redraws in place
    assert out.getvalue().endswith("\x1b[K\n")
