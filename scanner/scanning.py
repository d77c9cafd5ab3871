"""One scanning pass over a mailbox: lock it, read each folder above its cursor, detect, record.

Two phases per batch: the header fields the pre-filter needs for a few hundred UIDs, then whole
messages only for the candidates. Each batch is one transaction together with the cursor.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone
from imapclient import IMAPClient

from mailboxes.connection import account_for, policy
from mailboxes.models import Mailbox, ScanProgress
from otpdash.secretbox import SecretUnreadable

from .detection_pool import detecting
from .imap.connect import close, connect
from .imap.errors import MailboxError
from .imap.reader import FolderReader, discover_folders
from .keys import dkim_keys
from .models import FolderCursor
from .store import Hit, message_key, move_cursor, record_batch, worth_storing

log = logging.getLogger(__name__)

HEADER_BATCH = 1000  # header fields of this many UIDs per FETCH; one transaction each
# The progress hook of a folder's first read: (folder, examined, total), examined 0 at the folder's start.
Progress = Callable[[str, int, int], None]


@dataclass
class FolderReport:
    folder: str
    examined: int = 0
    candidates: int = 0
    found: int = 0
    error: str = ""


@dataclass
class ScanReport:
    mailbox_id: int
    busy: bool = False
    waited: float = 0.0  # seconds spent waiting for another scan of this mailbox to finish
    folders: list[FolderReport] = field(default_factory=list)
    error: MailboxError | None = None

    @property
    def examined(self) -> int:
        return sum(f.examined for f in self.folders)

    @property
    def found(self) -> int:
        return sum(f.found for f in self.folders)


def open_mailbox(mailbox: Mailbox) -> IMAPClient:
    try:
        return connect(account_for(mailbox), policy())
    except SecretUnreadable as exc:
        # Not a failed sign-in: the server never saw a password, so this never pauses the mailbox.
        raise MailboxError("key", str(exc)) from None


def scan_mailbox(
    mailbox: Mailbox,
    *,
    client: IMAPClient | None = None,
    folders: list[str] | None = None,
    wait_for_lock: float = 0.0,
    cancel: threading.Event | None = None,
    holder: str = "",
    progress: Progress | None = None,
) -> ScanReport:
    """One pass. Never raises a MailboxError: the failure is recorded on the mailbox and returned.
    Waits up to wait_for_lock seconds for another scan of the mailbox, unless cancel is set.
    holder starts the lock's token, so the lock of a process known to be dead can be freed at once.
    progress follows each folder's first read; by default it is stored for the mailbox page."""
    progress = progress or ScanProgress.recorder(mailbox.pk)
    report = ScanReport(mailbox.pk)
    token = (holder + uuid.uuid4().hex)[:32]
    started = time.monotonic()
    if not _acquire(mailbox, token, wait_for_lock, cancel or threading.Event()):
        report.busy = True
        return report
    report.waited = time.monotonic() - started
    own_client = client is None
    heartbeat = _Heartbeat(mailbox, token)
    heartbeat.start()
    try:
        if own_client:
            client = open_mailbox(mailbox)
        reader = FolderReader(client)
        discovered = None
        if folders is None:
            folders = mailbox.folders or discover_folders(reader)
            discovered = None if mailbox.folders else folders
        for name in folders:
            _scan_folder_safely(reader, mailbox, name, token, report, progress)
        problems = [f"{f.folder}: {f.error}" for f in report.folders if f.error]
        if problems:
            mailbox.record_failure(" ".join(problems), examined=report.examined)
        else:
            mailbox.record_success(report.examined, discovered)
    except MailboxError as exc:
        log.warning("mailbox %s: %s", mailbox.pk, exc)
        mailbox.record_failure(str(exc), auth=exc.is_auth, examined=report.examined, reconnect=exc.needs_reconnect)
        exc.recorded = True
        report.error = exc
    except Exception:
        log.exception("mailbox %s: unexpected error while scanning", mailbox.pk)
        mailbox.record_failure("Unexpected error while scanning; the server log has the details.")
        raise
    finally:
        heartbeat.stop()
        mailbox.unlock(token)
        if own_client:
            close(client)
    return report


class _Heartbeat(threading.Thread):
    """Renews the scan's lock every third of its lease while the scan runs, however long one step
    takes (a slow server, a large batch); the lease itself stays short, so a killed scan's lock lapses soon."""

    def __init__(self, mailbox: Mailbox, token: str):
        super().__init__(name=f"lock-heartbeat-{mailbox.pk}", daemon=True)
        self.mailbox, self.token = mailbox, token
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.SCAN_LEASE_SECONDS / 3):
                if not self.mailbox.renew_lock(self.token):
                    return  # taken over or removed: the scan notices at its next batch
        except Exception:
            log.exception("mailbox %s: the lock heartbeat failed", self.mailbox.pk)
        finally:
            connections.close_all()  # this thread's own database connection

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)


def _acquire(mailbox: Mailbox, token: str, wait: float, cancel: threading.Event) -> bool:
    deadline = time.monotonic() + wait
    while not mailbox.try_lock(token):
        if not Mailbox.objects.filter(pk=mailbox.pk).exists():
            raise Mailbox.DoesNotExist(f"mailbox {mailbox.pk} was removed")
        if time.monotonic() >= deadline or cancel.wait(0.2):
            return False
    return True


@dataclass
class _ReadBatch:
    uids: list[int]
    end: int  # how many of the folder's UIDs this batch reaches
    candidates: int
    detections: object  # detection_pool.Batch


def _read_bodies(
    reader: FolderReader, batch: list[int], start: int, headers: list, worth: list[bool], detector
) -> _ReadBatch:
    """The whole messages of a batch's candidates (those the pre-filter kept), each handed to the
    detector as it arrives."""
    candidates = [h for h, keep in zip(headers, worth, strict=True) if keep]
    detections = detector.batch()
    for fetched in reader.bodies(candidates):
        detections.submit(fetched.uid, fetched.raw, fetched.header)
    return _ReadBatch(batch, start + len(batch), len(candidates), detections)


def _scan_folder_safely(
    reader: FolderReader, mailbox: Mailbox, name: str, token: str, report: ScanReport, progress: Progress | None = None
) -> None:
    # Appended first, so batches stored before a dropped connection still count as examined.
    folder = FolderReport(name)
    report.folders.append(folder)
    try:
        scan_folder(reader, mailbox, name, token, folder, progress)
    except MailboxError as exc:
        if exc.step != "folder":
            raise  # the connection is gone: the other folders cannot be read either
        folder.error = str(exc)


def scan_folder(
    reader: FolderReader,
    mailbox: Mailbox,
    name: str,
    token: str,
    report: FolderReport | None = None,
    progress: Progress | None = None,
) -> FolderReport:
    report = report or FolderReport(name)
    state = reader.examine(name)
    cursor = FolderCursor.objects.filter(mailbox=mailbox, folder=name).first()
    # The folder's first read, or its resumption after a failure: its older mail is history.
    first_pass = cursor is None or not cursor.first_read_done
    if cursor and cursor.uidvalidity == state.uidvalidity:
        if state.uidnext is not None and state.uidnext <= cursor.last_uid + 1:
            if not cursor.first_read_done:  # every batch was stored before the pass that read them failed
                FolderCursor.objects.filter(pk=cursor.pk).update(first_read_done=True)
            return report  # nothing new: one EXAMINE, whatever the folder's size
        uids = reader.uids_after(cursor.last_uid)
        # What arrived since the last pass takes one batch: nothing to follow. More is a first read that
        # stopped midway (its cursor moves per batch) or a long pause, and is followed like a first read.
        if len(uids) <= HEADER_BATCH:
            progress = None
    else:
        # First pass, or the server renumbered the folder: read the backfill window again;
        # findings are keyed by Message-ID, so nothing already recorded is recorded twice.
        since = (timezone.now() - timedelta(days=mailbox.backfill_days)).date()
        uids = reader.uids_since(since, below=state.uidnext)
    receiver = replace(mailbox.receiver(keys=dkim_keys()), junk=reader.is_junk(name))
    writers: set[str] = set()
    if progress:
        progress(name, 0, len(uids))  # progress hook: the folder's start, before the first batch
    last = 0

    def store(read: _ReadBatch) -> None:
        """Detections of a read batch, stored with the cursor in one transaction."""
        nonlocal last
        hits = []
        for uid, header, detected in read.detections.results():
            writers.update(detected.verdict_writers)
            if worth_storing(detected):
                hits.append(Hit(uid, detected, message_key(detected, header)))
        if not mailbox.renew_lock(token):
            raise MailboxError("read", "Another scan took this mailbox over; this pass stopped.")
        batch = read.uids
        report.found += record_batch(mailbox, name, state.uidvalidity, batch[-1], hits, len(batch), first_pass)
        report.examined += len(batch)
        report.candidates += read.candidates
        last = batch[-1]
        if progress:
            progress(name, read.end, len(uids))  # progress hook: once per stored batch

    # One batch ahead: while the workers judge batch N, the header fields of N+1 are read from the
    # server; while a worker pre-filters them, N is stored; then N+1's candidates are read. Batches
    # are stored in order, so the cursor only ever moves over what was stored.
    with detecting(receiver, len(uids)) as detector:
        pending: _ReadBatch | None = None
        for start in range(0, len(uids), HEADER_BATCH):
            batch = uids[start : start + HEADER_BATCH]
            try:
                headers = reader.headers(batch)
            except BaseException:
                if pending is not None:
                    store(pending)  # read and judged already: keep it, then report the failure
                raise
            worth = detector.prefilter(headers)
            if pending is not None:
                store(pending)
            pending = _read_bodies(reader, batch, start, headers, worth.result(), detector)
        if pending is not None:
            store(pending)
    if writers:
        mailbox.learn_verdict_writers(sorted(writers))
    # Everything below UIDNEXT (as of EXAMINE) has now been read or lies outside the window.
    top = max(last, (state.uidnext or 1) - 1)
    if top > last or not uids:
        move_cursor(mailbox, name, state.uidvalidity, top)
    if first_pass:
        FolderCursor.objects.filter(mailbox=mailbox, folder=name).update(first_read_done=True)
    return report
