"""Two django-q2 task clusters on the Redis broker and PostgreSQL, as an office would run them: alerts
and digests queued many times over are each sent exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.dovecot import MISSING, Dovecot, dovecot_binary
from tests.mailgen import code_mail
from tests.manage_process import Install
from tests.smtp import Inbox, free_port

ROOT = Path(__file__).resolve().parents[1]
PG = "postgres://root@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379"


def _two_clusters_send(tmp_path, pg_database, redis_db, fill: str, queue: str, expected: int) -> list:
    """Migrate, run the fill script, queue `queue`'s tasks, start two clusters on the one Redis broker,
    and return the mails the SMTP server got once `expected` arrived (and a few seconds more, for any
    sent twice)."""
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTPDASH_")}
    env.update(
        OTPDASH_DATA_DIR=str(tmp_path), DATABASE_URL=pg_database, OTPDASH_REDIS_URL=redis_db,
        OTPDASH_SMTP_HOST="127.0.0.1", OTPDASH_SMTP_PORT=str(smtp.port), OTPDASH_SMTP_STARTTLS="false",
        OTPDASH_LOG_LEVEL="WARNING", OTPDASH_WORKERS="2", PYTHONPATH=str(ROOT),
    )  # fmt: skip

    def manage(*args):
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=300)  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout

    clusters = []
    try:
        manage("migrate", "--noinput", "-v", "0")
        assert "filled" in manage("shell", "-c", (ROOT / "tests" / fill).read_text())
        manage("shell", "-c", queue)
        for n in range(2):
            log = open(tmp_path / f"cluster-{n}.log", "w")
            clusters.append(subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env,
                                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True))  # fmt: skip
        deadline = time.monotonic() + 60
        while len(inbox.messages) < expected and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # anything sent twice would arrive by now
    finally:
        for process in clusters:
            os.killpg(process.pid, signal.SIGTERM)
        for process in clusters:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        smtp.stop()
    logs = "\n".join((tmp_path / f"cluster-{n}.log").read_text()[-2000:] for n in range(len(clusters)))
    return inbox.messages, logs


def test_alerts_and_digests_queued_many_times_go_once(tmp_path, pg_database, redis_db):
    # Every alert's task was queued on commit already; queue many more, and the digests, many times.
    queue = (
        "from django_q.tasks import async_task\n"
        "for _ in range(8):\n"
        "    async_task('notify.tasks.send_due')\n"
        "    async_task('notify.digests.send_digests', force=True)\n"
    )
    messages, logs = _two_clusters_send(tmp_path, pg_database, redis_db, "cluster_fill.py", queue, 6 * 2)
    sent = sorted((m["To"], "digest" if "digest" in m["Subject"] else "alert") for m in messages)
    assert sent == sorted((f"m{n}@example.org", kind) for n in range(6) for kind in ("alert", "digest")), logs


def test_reminders_and_escalations_made_many_times_go_once(tmp_path, pg_database, redis_db):
    """Both clusters look for waves to follow up, many times over: one reminder to the person, one
    escalation to each admin (issue 25)."""
    queue = (
        "from django_q.tasks import async_task\n"
        "for _ in range(8):\n"
        "    async_task('notify.tasks.follow_up')\n"
        "    async_task('notify.tasks.send_due')\n"
    )
    messages, logs = _two_clusters_send(tmp_path, pg_database, redis_db, "followup_fill.py", queue, 3)
    sent = sorted((m["To"], m["Subject"].split(",")[0]) for m in messages)
    assert sent == [
        ("a0@example.org", "OTP Dash: nobody is on it"),
        ("a1@example.org", "OTP Dash: nobody is on it"),
        ("p@example.org", "OTP Dash: still happening"),
    ], logs


def test_scan_now_and_scheduled_polls_run_once_across_two_clusters(tmp_path, pg_database, redis_db):
    """Two mailboxes are due for their scheduled poll, two get Scan now: both clusters run the scheduler
    (every 30 s or so) and pull from the one Redis queue, yet each mailbox is scanned by one task and
    each code mail recorded once."""
    if dovecot_binary() is None:
        pytest.fail(MISSING, pytrace=False)
    users = {f"u{n}": f"u{n}-password-1" for n in range(4)}
    server = Dovecot(users).start()
    install = Install(tmp_path / "data", database_url=pg_database, redis_url=redis_db)
    install.env.update(OTPDASH_LOG_LEVEL="WARNING", OTPDASH_WORKERS="2", PYTHONPATH=str(ROOT))
    clusters = []
    try:
        for n, user in enumerate(users):
            server.append([code_mail(n)], user=user)
        install.manage("migrate", "--noinput", "-v", "0")
        fill = install.manage("shell", "-c", (ROOT / "tests" / "watch_fill.py").read_text(), extra_env={
            "FILL_USERS": ",".join(f"{u}:{p}" for u, p in users.items()), "FILL_PORT": str(server.imaps_port),
            "FILL_CA": str(server.ca_file)})  # fmt: skip
        mailboxes = json.loads(fill.stdout.strip().splitlines()[-1])
        due, clicked = mailboxes[:2], mailboxes[2:]
        install.query("UPDATE scanner_mailbox SET next_scan_at = NULL WHERE id IN (?, ?)", *due)
        install.manage("shell", "-c", f"from scanner.tasks import queue_scan\nfor pk in {clicked}: queue_scan(pk)")
        for n in range(2):
            clusters.append(install.popen("qcluster", log=tmp_path / f"cluster-{n}.log"))
        install.wait_for("SELECT COUNT(*) FROM scanner_finding HAVING COUNT(*) >= 4", seconds=90)
        install.wait_for("SELECT id FROM django_q_task WHERE func = 'scanner.tasks.scan_due'", seconds=90)
        time.sleep(5)  # a second scan of anything, or a second scheduler run, would be done by now
    finally:
        for process in clusters:
            process.send_signal(signal.SIGTERM)
        for process in clusters:
            process.wait(timeout=30)
        server.destroy()
    logs = "\n".join((tmp_path / f"cluster-{n}.log").read_text()[-2000:] for n in range(2))
    scans = dict(
        install.query("SELECT name, COUNT(*) FROM django_q_task WHERE name LIKE 'scan-mailbox-%' GROUP BY name")
    )
    assert scans == {f"scan-mailbox-{pk}": 1 for pk in due + clicked}, logs
    assert install.query("SELECT COUNT(*) FROM django_q_task WHERE func = 'scanner.tasks.scan_due'") == [(1,)]
    recorded = install.query("SELECT message_id, COUNT(*) FROM scanner_finding GROUP BY message_id ORDER BY 1")
    assert recorded == [(f"<code-{n}@otpdash.test>", 1) for n in range(4)]
    assert install.query("SELECT COUNT(*) FROM scanner_sighting") == [(4,)]
