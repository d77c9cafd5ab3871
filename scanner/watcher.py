"""Near real time: one thread per watched folder holds an IMAP IDLE connection and scans on news.

A thread loops (it never recurses) over connect, scan, IDLE; on a failure it waits with capped
exponential backoff and connects again. Servers without IDLE are polled on the same connection.
The supervisor starts and stops threads as mailboxes are added, edited, paused or removed, and as
its process gains or gives up their leases (leases.py), so several watch processes share the work.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connections

from .imap.connect import close
from .imap.errors import MailboxError
from .imap.idle import RENEW_AFTER, wait_for_news
from .imap.reader import FolderReader
from .leases import Membership
from .models import FolderCursor, Mailbox
from .scanning import discover_folders, open_mailbox, scan_mailbox

log = logging.getLogger(__name__)

BACKOFF_FIRST = 2.0
BACKOFF_MAX = 300.0
# Scan passes one process runs at once: each holds a database connection (PostgreSQL allows 100 by
# default), and a takeover of a hundred mailboxes must not open a hundred at a time.
PASS_SLOTS = 6


class FolderWatch(threading.Thread):
    def __init__(
        self,
        mailbox_id: int,
        folder: str,
        version,
        renew_after: float = RENEW_AFTER,
        poll_seconds: float | None = None,
        slots: threading.Semaphore | None = None,
        holder=lambda: "",
    ):
        super().__init__(name=f"watch-{mailbox_id}-{folder}", daemon=True)
        self.mailbox_id = mailbox_id
        self.folder = folder
        self.version = version
        self.renew_after = renew_after
        self.poll_seconds = poll_seconds  # for servers without IDLE; None: the mailbox's own interval
        self.slots = slots or threading.BoundedSemaphore(PASS_SLOTS)
        self.holder = holder  # what this process's scan-lock tokens begin with, asked at each pass
        self.halt = threading.Event()

    def stop(self) -> None:
        self.halt.set()

    def run(self) -> None:
        backoff = BACKOFF_FIRST
        try:
            while not self.halt.is_set():
                try:
                    self._session()
                    backoff = BACKOFF_FIRST
                except MailboxError as exc:
                    log.warning("watch %s %r: %s; retrying in %.0f s", self.mailbox_id, self.folder, exc, backoff)
                    if not getattr(exc, "recorded", False):
                        self._record(exc)
                    if exc.is_auth and Mailbox.objects.filter(pk=self.mailbox_id, state=Mailbox.State.PAUSED).exists():
                        return  # paused after repeated sign-in failures: stop knocking
                except Mailbox.DoesNotExist:
                    return
                except Exception:
                    log.exception(
                        "watch %s %r: unexpected error; retrying in %.0f s", self.mailbox_id, self.folder, backoff
                    )
                finally:
                    connections.close_all()
                self.halt.wait(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
        finally:
            connections.close_all()

    def _record(self, exc: MailboxError) -> None:
        mailbox = Mailbox.objects.filter(pk=self.mailbox_id).first()
        if mailbox:
            mailbox.record_failure(str(exc), auth=exc.is_auth, reconnect=exc.needs_reconnect)

    def _session(self) -> None:
        # Signing in may renew an OAuth token (a database write): inside a slot like any pass, so a
        # takeover of many mailboxes never opens a database connection per mailbox at once.
        with self.slots:
            mailbox = Mailbox.objects.get(pk=self.mailbox_id)
            client = open_mailbox(mailbox)
            try:
                reader = FolderReader(client)
                if not mailbox.folders and not mailbox.discovered_folders:
                    Mailbox.objects.filter(pk=mailbox.pk).update(discovered_folders=discover_folders(reader))
            except BaseException:
                close(client)
                raise
            finally:
                connections.close_all()
        try:
            idle = client.has_capability("IDLE")
            while not self.halt.is_set():
                with self.slots:
                    report = scan_mailbox(mailbox, client=client, folders=[self.folder], wait_for_lock=60,
                                          cancel=self.halt, holder=self.holder())  # fmt: skip
                    if report.error:
                        raise report.error
                    # IDLE watches the selected folder (a busy pass may not have selected it), and reports
                    # only what arrives after it starts: mail that came during the pass is read now.
                    again = idle and _arrived_since_pass(mailbox, self.folder, reader.examine(self.folder))
                    # An idle watch holds no database connection (this thread's own; PostgreSQL's are otherwise
                    # kept for CONN_MAX_AGE, and a hundred watches would hold a hundred).
                    connections.close_all()
                if not idle:
                    self.halt.wait(self.poll_seconds or mailbox.poll_minutes * 60)
                    continue
                if again:
                    continue
                try:
                    wait_for_news(client, self.halt, self.renew_after)
                except MailboxError as exc:
                    # Servers drop idle connections now and then: reconnect quietly; only a
                    # reconnection that fails is the mailbox's problem.
                    log.info("watch %s %r: %s", self.mailbox_id, self.folder, exc)
                    return
        finally:
            close(client)


class Supervisor:
    """Keeps one FolderWatch per (enabled mailbox whose lease this process holds, folder) running,
    until stop is set; then gives its leases back so the other processes take over at once."""

    def __init__(
        self,
        stop: threading.Event,
        refresh: float = 2.0,
        renew_after: float = RENEW_AFTER,
        max_connections: int | None = None,
    ):
        self.stop_event = stop
        self.refresh = refresh
        self.renew_after = renew_after
        self.membership = Membership(max_connections or settings.WATCH_MAX_CONNECTIONS)
        self.slots = threading.BoundedSemaphore(PASS_SLOTS)
        self.watches: dict[tuple[int, str], FolderWatch] = {}

    def wanted(self) -> dict[tuple[int, str], object]:
        mailboxes = {mailbox.pk: mailbox for mailbox in Mailbox.objects.watchable()}
        folders = {
            pk: mailbox.watched_folders()[: settings.WATCH_FOLDERS_PER_MAILBOX] for pk, mailbox in mailboxes.items()
        }
        held = self.membership.tick({pk: len(names) for pk, names in folders.items()})
        return {(pk, folder): mailboxes[pk].updated_at for pk in held for folder in folders[pk]}

    def reconcile(self) -> None:
        wanted = self.wanted()
        for key, watch in list(self.watches.items()):
            if wanted.get(key) != watch.version or not watch.is_alive():
                watch.stop()
                del self.watches[key]
        for key, version in wanted.items():
            if key not in self.watches:
                watch = FolderWatch(key[0], key[1], version, self.renew_after, slots=self.slots,
                                    holder=lambda: self.membership.lock_prefix)  # fmt: skip
                self.watches[key] = watch
                watch.start()

    def run(self) -> None:
        try:
            self.membership.join()
            while not self.stop_event.is_set():
                try:
                    self.reconcile()
                except Exception:
                    log.exception("watch: cannot read the mailbox list; trying again")
                finally:
                    close_old_connections()
                self.stop_event.wait(self.refresh)
        finally:
            for watch in self.watches.values():
                watch.stop()
            for watch in self.watches.values():
                watch.join(timeout=10)
            try:
                self.membership.leave()
            except Exception:
                log.exception("watch: could not give the leases back; they lapse by themselves")
            connections.close_all()


def _arrived_since_pass(mailbox: Mailbox, folder: str, state) -> bool:
    """Whether the folder holds mail above the cursor the pass just left (UIDNEXT moved on)."""
    cursor = FolderCursor.objects.filter(mailbox=mailbox, folder=folder).first()
    if cursor is None or cursor.uidvalidity != state.uidvalidity:
        return True  # renumbered, or a pass that stored nothing yet: read again (it waits for the lock)
    return state.uidnext is not None and state.uidnext > cursor.last_uid + 1
