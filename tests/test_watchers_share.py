"""Several `manage.py watch` processes against a real Dovecot: they split the mailboxes, no account is
watched twice (Dovecot's own session list says so), a killed watcher's mailboxes are taken over, and
the connection cap holds. On SQLite, or on PostgreSQL when the suite runs with DATABASE_URL."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time

import pytest

from tests import services
from tests.dovecot import MISSING, Dovecot, dovecot_binary
from tests.mailgen import code_mail
from tests.manage_process import Install
from tests.waiting import wait_for

USERS = {f"u{n}": f"u{n}-password-1" for n in range(6)}


@pytest.fixture
def server():
    if dovecot_binary() is None:
        pytest.fail(MISSING, pytrace=False)
    # Dovecot tells an IDLE client of new mail through inotify, limited to 128 instances per user
    # (all its sessions run as one); while the rest of the suite runs, that can run out, and Dovecot
    # then looks only every 30 s. This test is about the watchers, so the server looks every second.
    dovecot = Dovecot(USERS, extra_config="mailbox_idle_check_interval = 1 secs\n").start()
    yield dovecot
    dovecot.destroy()


@pytest.fixture
def install(tmp_path, server):
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(services.pg_database()) if os.environ.get("DATABASE_URL") else None
        install = Install(tmp_path / "data", database_url=url)
        install.manage("migrate", "--noinput", "-v", "0")
        fill = install.manage("shell", "-c", open("tests/watch_fill.py").read(), extra_env={
            "FILL_USERS": ",".join(f"{u}:{p}" for u, p in USERS.items()), "FILL_PORT": str(server.imaps_port),
            "FILL_CA": str(server.ca_file), "PYTHONPATH": os.getcwd()})  # fmt: skip
        install.mailbox_ids = json.loads(fill.stdout.strip().splitlines()[-1])
        yield install


def wait_until(predicate, seconds: float, what: str):
    return wait_for(predicate, seconds, what, interval=0.1)


def holders(install) -> dict[int, int]:
    """watcher id -> how many mailboxes it holds."""
    rows = install.query("SELECT watcher_id, COUNT(*) FROM scanner_watchlease WHERE watcher_id IS NOT NULL"
                         " GROUP BY watcher_id")  # fmt: skip
    return dict(rows)


def watcher_of(install, pid: int) -> int:
    [(pk,)] = install.query("SELECT id FROM scanner_watcher WHERE name LIKE ?", f"%:{pid}")
    return pk


def start_watch(install, tmp_path, name: str, *args: str):
    return install.popen("watch", "--refresh", "0.5", *args, log=tmp_path / f"{name}.log")


def stop(proc) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)


def test_two_watchers_share_the_mailboxes_and_one_takes_over_when_the_other_is_killed(install, server, tmp_path):
    first = start_watch(install, tmp_path, "first")
    second = start_watch(install, tmp_path, "second")
    try:
        wait_until(lambda: sorted(holders(install).values()) == [3, 3], 60, "the six mailboxes split three and three")
        every_account_once = {user: 1 for user in USERS}
        wait_until(lambda: server.connections() == every_account_once, 30, "one IDLE connection per account")
        survivor, victim = watcher_of(install, first.pid), watcher_of(install, second.pid)
        victims = [pk for (pk,) in install.query("SELECT mailbox_id FROM scanner_watchlease WHERE watcher_id = ?",
                                                 victim)]  # fmt: skip

        second.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        wait_until(lambda: holders(install) == {survivor: 6}, 60, "the survivor to hold every mailbox")
        takeover = time.monotonic() - killed
        wait_until(lambda: server.connections() == every_account_once, 30, "one connection per account again")
        print(f"takeover_s={takeover:.1f}")
        # Well inside the 30 s lease: the death was seen through the lock the system freed with the
        # process (flock on SQLite, an advisory lock on PostgreSQL), not by waiting for expiry.
        assert takeover < 15

        [(user,)] = install.query("SELECT username FROM scanner_mailbox WHERE id = ?", victims[0])
        server.append([code_mail(7)], user=user)
        try:
            install.wait_for("SELECT id FROM scanner_finding WHERE message_id = ?", "<code-7@otpdash.test>", seconds=30)
        except AssertionError as exc:
            # Seen once on a loaded CI machine, on PostgreSQL, and not since: whatever it was, the
            # next failure says where each mailbox's lock, cursor and lease stood.
            state = install.query("SELECT id, lock_token, locked_until, state FROM scanner_mailbox ORDER BY id")
            cursors = install.query("SELECT mailbox_id, folder, uidvalidity, last_uid, first_read_done"
                                    " FROM scanner_foldercursor ORDER BY mailbox_id")  # fmt: skip
            leases = install.query(
                "SELECT mailbox_id, watcher_id, expires_at FROM scanner_watchlease ORDER BY mailbox_id"
            )
            raise AssertionError(
                f"{exc}\nvictims: {victims}, appended to {user}\nmailboxes: {state}\ncursors: {cursors}"
                f"\nleases: {leases}\nwatchers: {install.query('SELECT * FROM scanner_watcher')}"
                f"\nsessions: {server.connections()}\n{(tmp_path / 'first.log').read_text()[-3000:]}"
            ) from None
        assert not install.query("SELECT id FROM scanner_watcher WHERE id = ?", victim)  # buried
    finally:
        second.kill()
        stop(first)
    assert first.returncode == 0, (tmp_path / "first.log").read_text()
    assert holders(install) == {}  # a watcher that stops gives its leases back at once
    assert not install.query("SELECT id FROM scanner_watcher")


def test_a_watcher_never_holds_more_connections_than_its_cap(install, server, tmp_path):
    capped = start_watch(install, tmp_path, "capped", "--max-connections", "2")
    try:
        wait_until(lambda: holders(install) and list(holders(install).values()) == [2], 60, "two leases")
        wait_until(lambda: sum(server.connections().values()) == 2, 30, "two IMAP connections")
        time.sleep(2)  # several more rounds of claiming
        assert list(holders(install).values()) == [2]
        assert sum(server.connections().values()) == 2
    finally:
        stop(capped)


def test_a_cap_below_one_is_refused(install):
    result = install.manage("watch", "--max-connections", "0", check=False)
    assert result.returncode != 0
    assert "--max-connections must be at least 1" in result.stderr
