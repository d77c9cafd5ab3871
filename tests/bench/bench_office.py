"""make bench-office: an office's install under load, on PostgreSQL + Redis, everything on 127.0.0.1.

A private Dovecot with 200 generated users; 200 linked mailboxes (INBOX each); two `manage.py watch`
processes sharing them through their leases; two django-q2 clusters on the Redis broker. For 60 s,
code mails are appended at random moments to random accounts; half-way, one watcher is killed
(SIGKILL: no goodbye, its leases are left held). Then every appended mail must be recorded once.

latency: from the APPEND's completion to the mail's sighting in the database (Sighting.seen_at, same
clock). takeover_s: from the kill until the survivor holds every lease and Dovecot's own session list
shows exactly one IMAP connection per account again. idle_pss_mb: the default stack (`make run`,
SQLite) at rest, measured in the same run (footprint.py).

The bench's Dovecot checks a mailbox for changes every second when it cannot use inotify for an
IDLE session: all 200 sessions run as one user, and Linux allows 128 inotify instances per user by
default, so without this the sessions past the 128th would hear of new mail only every 30 s.

Last line: mailboxes=200 appended=N recorded=N duplicates=0 p95_latency_ms=X takeover_s=Y idle_pss_mb=Z
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests import services  # noqa: E402
from tests.bench.footprint import idle_pss  # noqa: E402
from tests.dovecot import MISSING, Dovecot, dovecot_binary  # noqa: E402
from tests.mailgen import CODE_MAIL, with_message_id  # noqa: E402
from tests.manage_process import Install  # noqa: E402

MAILBOXES = int(os.environ.get("BENCH_MAILBOXES", "200"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
RATE = float(os.environ.get("BENCH_RATE", "5"))  # appends per second, on average (Poisson arrivals)
APPENDERS = 4

DOVECOT_EXTRA = """\
mailbox_idle_check_interval = 1 secs
default_process_limit = 1000
default_client_limit = 4000
service imap-login {
  service_count = 0
  process_min_avail = 2
  client_limit = 1000
}
service imap {
  process_limit = 1000
}
"""


def wait_until(predicate, seconds: float, what: str, logs: list[Path] = ()):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    tails = "\n".join(f"--- {log.name}\n{log.read_text()[-1500:]}" for log in logs)
    raise SystemExit(f"timed out after {seconds:.0f} s waiting for {what}\n{tails}")


class Appender:
    """Code mails appended at Poisson-distributed moments to random accounts, by a few threads."""

    def __init__(self, dovecot: Dovecot, users: list[str]):
        self.dovecot = dovecot
        self.users = users
        self.raw = CODE_MAIL.read_bytes()
        self.appended: dict[str, float] = {}  # Message-ID -> wall-clock time the APPEND completed
        self.account: dict[str, str] = {}  # Message-ID -> the account it went to
        self.lock = threading.Lock()
        self.errors: list[str] = []

    def run(self, seconds: float, rate: float) -> None:
        threads = [threading.Thread(target=self._loop, args=(n, seconds, rate / APPENDERS)) for n in range(APPENDERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _loop(self, n: int, seconds: float, rate: float) -> None:
        rng = random.Random(n)
        end = time.monotonic() + seconds
        count = 0
        while True:
            time.sleep(rng.expovariate(rate))
            if time.monotonic() >= end:
                return
            user = rng.choice(self.users)
            message_id = f"<office-{n}-{count}@otpdash.test>"
            count += 1
            try:
                client = self.dovecot.client(user)
                client.append("INBOX", with_message_id(self.raw, message_id))
                done = time.time()
                client.logout()
            except Exception as exc:  # counted, and the run fails below: nothing is silently dropped
                self.errors.append(f"{user}: {exc}")
                continue
            with self.lock:
                self.appended[message_id] = done
                self.account[message_id] = user


def main() -> None:
    if dovecot_binary() is None:
        sys.exit(MISSING)
    work = Path(tempfile.mkdtemp(prefix="otpdash-office-"))
    idle, processes = idle_pss(work)
    print(f"default stack at rest: {idle:.1f} MB PSS in {processes} processes", flush=True)

    users = {f"user{n:03d}": f"password-{n:03d}-office" for n in range(MAILBOXES)}
    dovecot = Dovecot(users, extra_config=DOVECOT_EXTRA).start()
    processes_started = []
    try:
        with services.pg_database("otpdash_office") as database, services.redis_database() as broker:
            install = Install(work / "data", database_url=database, redis_url=broker)
            install.env.update(
                OTPDASH_LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
                OTPDASH_WORKERS="2",
                PYTHONPATH=str(ROOT),
            )
            install.manage("migrate", "--noinput", "-v", "0")
            fill = install.manage("shell", "-c", (ROOT / "tests" / "watch_fill.py").read_text(), extra_env={
                "FILL_USERS": ",".join(f"{u}:{p}" for u, p in users.items()), "FILL_PORT": str(dovecot.imaps_port),
                "FILL_CA": str(dovecot.ca_file)})  # fmt: skip
            assert len(json.loads(fill.stdout.strip().splitlines()[-1])) == MAILBOXES

            logs = [work / name for name in ("cluster-0.log", "cluster-1.log", "watch-0.log", "watch-1.log")]
            clusters = [install.popen("qcluster", log=logs[n]) for n in range(2)]
            capacity = str(MAILBOXES + 50)  # either watcher alone can hold them all after the kill
            watchers = [install.popen("watch", "--max-connections", capacity, log=logs[2 + n]) for n in range(2)]
            processes_started += clusters + watchers
            started = time.monotonic()
            every_account_once = dict.fromkeys(users, 1)

            def held_by() -> dict[int, int]:
                return dict(install.query("SELECT watcher_id, COUNT(*) FROM scanner_watchlease"
                                          " WHERE watcher_id IS NOT NULL GROUP BY watcher_id"))  # fmt: skip

            half = MAILBOXES // 2
            wait_until(lambda: sorted(held_by().values()) == [half, MAILBOXES - half], 120, "the leases split", logs)
            wait_until(lambda: dovecot.connections() == every_account_once, 120, "one IDLE session per account", logs)
            wait_until(lambda: install.query("SELECT COUNT(*) FROM scanner_mailbox WHERE last_success_at IS NOT NULL"
                                             " HAVING COUNT(*) = ?", MAILBOXES), 120, "every first pass", logs)  # fmt: skip
            print(f"200 mailboxes watched by two processes, 100 each, after {time.monotonic() - started:.1f} s",
                  flush=True)  # fmt: skip

            appender = Appender(dovecot, list(users))
            load = threading.Thread(target=appender.run, args=(SECONDS, RATE))
            load.start()
            time.sleep(SECONDS / 2)
            victim = watchers[1]
            [(survivor,)] = install.query("SELECT id FROM scanner_watcher WHERE name LIKE ?", f"%:{watchers[0].pid}")
            victim.send_signal(signal.SIGKILL)
            killed = time.monotonic()
            wait_until(lambda: held_by() == {survivor: MAILBOXES}, 120, "the survivor to hold every lease", logs)
            wait_until(lambda: dovecot.connections() == every_account_once, 120, "one session per account", logs)
            takeover = time.monotonic() - killed
            print(f"watcher killed half-way; the other watched all {MAILBOXES} mailboxes {takeover:.1f} s later",
                  flush=True)  # fmt: skip
            load.join()
            if appender.errors:
                raise SystemExit(f"{len(appender.errors)} APPENDs failed, first: {appender.errors[0]}")

            appended = appender.appended
            ids = list(appended)

            def sightings():
                rows = []
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    rows += install.query(
                        "SELECT f.message_id, s.seen_at FROM scanner_sighting s JOIN scanner_finding f ON f.id = "
                        f"s.finding_id WHERE f.message_id IN ({', '.join('?' * len(chunk))})",
                        *chunk,
                    )
                return rows

            deadline = time.monotonic() + 120
            rows = sightings()
            while len({message_id for message_id, _ in rows}) < len(ids) and time.monotonic() < deadline:
                time.sleep(1)
                rows = sightings()
            findings = install.query("SELECT message_id, COUNT(*) FROM scanner_finding WHERE message_id LIKE"
                                     " '<office-%' GROUP BY message_id")  # fmt: skip
            recorded = {message_id for message_id, _ in rows}
            duplicates = (len(rows) - len(recorded)) + sum(count - 1 for _, count in findings)
            latencies = sorted(
                (_as_utc(seen_at).timestamp() - appended[message_id]) * 1000 for message_id, seen_at in rows
            )
            (work / "latencies.json").write_text(json.dumps([
                {"message_id": message_id, "account": appender.account[message_id], "appended": appended[message_id],
                 "latency_ms": (_as_utc(seen_at).timestamp() - appended[message_id]) * 1000}
                for message_id, seen_at in rows], indent=1))  # fmt: skip
            p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 2 else float("nan")
            print(
                f"appended {len(ids)} code mails in {SECONDS:.0f} s; recorded {len(recorded)}; "
                f"latency median {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms, max {latencies[-1]:.0f} ms",
                flush=True,
            )
            print(f"each append's account and latency: {work / 'latencies.json'}", flush=True)
            _stop(processes_started)
    finally:
        _stop(processes_started)  # before the database goes, so the watchers give their leases back
        dovecot.destroy()
    print(
        f"mailboxes={MAILBOXES} appended={len(ids)} recorded={len(recorded)} duplicates={duplicates} "
        f"p95_latency_ms={p95:.0f} takeover_s={takeover:.1f} idle_pss_mb={idle:.1f}"
    )


def _stop(processes) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except Exception:
            process.kill()


def _as_utc(value) -> datetime:
    """PostgreSQL hands back an aware datetime; keep the door open for a naive UTC one."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


if __name__ == "__main__":
    main()
