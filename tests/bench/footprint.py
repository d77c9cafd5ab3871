"""make bench-footprint: what `make run`'s stack (python -m otpdash.stack, the embedded default on SQLite)
holds in memory, idle and while its watcher makes the first scan of a 20,000-message mailbox.

PSS (proportional set size) is summed over the stack's process tree: pages the forked parts share
with the stack process count once in all. Last line:
idle_pss_mb=X processes=N scan_pss_mb=Y scan_s=S messages=M
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.manage_process import Install  # noqa: E402
from tests.processes import pss_mb, tree  # noqa: E402
from tests.waiting import free_port  # noqa: E402

TOTAL = int(os.environ.get("BENCH_MESSAGES", "20000"))
SETTLE_SECONDS = 10  # after the warm-up pages, so the figure is the stack at rest


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        response.read()
        return response.status


@contextlib.contextmanager
def running_stack(install: Install, log: Path):
    """The stack, ready: the page is served (after a few page loads, as a visitor would leave it), the
    task cluster and the watcher have started."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "otpdash.stack", "--bind", f"127.0.0.1:{port}"], cwd=ROOT,
                            env=install.env, stdout=log.open("w"), stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            text = log.read_text()
            try:
                if _get(f"http://127.0.0.1:{port}/") == 200 and "watch: started" in text and "running." in text:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"the stack did not start:\n{text[-3000:]}")
            time.sleep(0.3)
        for path in ("/", "/accounts/login/", "/static/css/otpdash.css", "/accounts/login/"):
            try:
                _get(f"http://127.0.0.1:{port}{path}")
            except OSError:
                pass  # a page that redirects or is missing still loaded the code that serves it
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def idle_pss(work: Path) -> tuple[float, int]:
    """The default stack's footprint at rest on a fresh install: (PSS in MB, processes)."""
    install = Install(work / "idle-data")
    install.manage("migrate", "--noinput", "-v", "0")
    with running_stack(install, work / "idle.log") as proc:
        time.sleep(SETTLE_SECONDS)
        pids = tree(proc.pid)
        return pss_mb(pids), len(pids)


def _seed(dovecot, total: int) -> None:
    from tests.mailgen import mailbox_mix

    messages, _codes, _fakes = mailbox_mix(total, realistic=True)
    dovecot.append(messages)


def scan_pss(work: Path) -> tuple[float, float]:
    """Peak PSS of the stack while its watcher makes the first pass over TOTAL messages, and how long
    that pass took: (MB, seconds)."""
    from tests.dovecot import MISSING, Dovecot, dovecot_binary

    if dovecot_binary() is None:
        raise SystemExit(MISSING)
    dovecot = Dovecot().start()
    try:
        seeder = multiprocessing.get_context("fork").Process(target=_seed, args=(dovecot, TOTAL))
        seeder.start()
        seeder.join()
        install = Install(work / "scan-data")
        install.manage("migrate", "--noinput", "-v", "0")
        with running_stack(install, work / "scan.log") as proc:
            mailbox = install.setup_member_and_mailbox(dovecot, "--folder", "INBOX")
            started, peak = time.monotonic(), 0.0
            while not install.query("SELECT id FROM scanner_mailbox WHERE id = ? AND last_success_at IS NOT NULL",
                                    mailbox):  # fmt: skip
                peak = max(peak, pss_mb(tree(proc.pid)))
                if time.monotonic() - started > 1800:
                    raise SystemExit(f"no first pass after 30 minutes:\n{(work / 'scan.log').read_text()[-3000:]}")
                time.sleep(0.25)
            return peak, time.monotonic() - started
    finally:
        dovecot.destroy()


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="otpdash-footprint-"))
    idle, processes = idle_pss(work)
    print(f"idle stack: {idle:.1f} MB PSS in {processes} processes", flush=True)
    peak, seconds = scan_pss(work)
    print(f"first pass over {TOTAL} messages by the watcher: {seconds:.0f} s, peak {peak:.1f} MB PSS", flush=True)
    print(f"idle_pss_mb={idle:.1f} processes={processes} scan_pss_mb={peak:.1f} scan_s={seconds:.0f} messages={TOTAL}")


if __name__ == "__main__":
    main()
