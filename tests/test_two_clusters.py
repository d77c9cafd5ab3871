"""Two django-q2 task clusters on the Redis broker and PostgreSQL, as an office would run them: alerts
and digests queued many times over are each sent exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from aiosmtpd.controller import Controller

from tests.smtp import Inbox, free_port

ROOT = Path(__file__).resolve().parents[1]
PG = "postgres://root@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379"


def test_alerts_and_digests_queued_many_times_go_once(tmp_path, pg_database, redis_db):
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
        assert "filled" in manage("shell", "-c", (ROOT / "tests" / "cluster_fill.py").read_text())
        # Every alert's task was queued on commit already; queue many more, and the digests, many times.
        manage("shell", "-c", (
            "from django_q.tasks import async_task\n"
            "for _ in range(8):\n"
            "    async_task('notify.tasks.send_due')\n"
            "    async_task('notify.digests.send_digests', force=True)\n"
        ))  # fmt: skip
        for n in range(2):
            log = open(tmp_path / f"cluster-{n}.log", "w")
            clusters.append(subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env,
                                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True))  # fmt: skip
        expected = 6 * 2  # each member: one alert, one digest
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
    sent = sorted((m["To"], "digest" if "digest" in m["Subject"] else "alert") for m in inbox.messages)
    assert sent == sorted((f"m{n}@example.org", kind) for n in range(6) for kind in ("alert", "digest")), logs
