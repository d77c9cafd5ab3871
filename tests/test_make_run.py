"""`make run` on a fresh data folder: the page is served, the task cluster runs, Ctrl-C stops every
process it started within 10 seconds."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.processes import tree, wait_gone
from tests.waiting import free_port, wait_for

ROOT = Path(__file__).resolve().parents[1]


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


def test_make_run_serves_and_stops_cleanly(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OTPDASH_REDIS_URL")}
    env.update(OTPDASH_DATA_DIR=str(tmp_path / "data"), PYTHON=sys.executable)
    log = (tmp_path / "run.log").open("w+")
    proc = subprocess.Popen(
        ["make", "run", f"BIND=127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        status, page = wait_for(lambda: fetch(f"http://127.0.0.1:{port}/"), 90, "the first page")
        assert status == 200 and "Create the owner account" in page  # a fresh install starts at set-up
        wait_for(
            lambda: "running" in (tmp_path / "run.log").read_text().lower().split("worker", 1)[-1],
            30,
            "the django-q2 cluster to report it is running",
        )
        wait_for(lambda: "watch: started" in (tmp_path / "run.log").read_text(), 30, "the IMAP watcher to start")
        # Every part reports in: the task cluster's status and the watcher's heartbeat.
        wait_for(lambda: fetch(f"http://127.0.0.1:{port}/healthz")[0] == 200, 30, "/healthz to answer 200")
        assert (tmp_path / "data" / "otpdash.sqlite3").exists()
        assert f"http://127.0.0.1:{port}/" in (tmp_path / "run.log").read_text()
    finally:
        started = tree(proc.pid)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
        left = wait_gone(started, 10)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired as exc:
            os.killpg(proc.pid, signal.SIGKILL)
            log_tail = (tmp_path / "run.log").read_text()[-2000:]
            raise AssertionError("make run did not stop on Ctrl-C: " + log_tail) from exc
    # make, the stack, gunicorn and its worker, the cluster's five processes and the watcher
    assert len(started) >= 10, started
    assert not left, f"still running 10 s after Ctrl-C: {left}"
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0, "the web server outlived Ctrl-C"
    assert "watch: stopped" in (tmp_path / "run.log").read_text(), "the watcher did not stop cleanly"


def test_ctrl_c_in_a_terminal_ends_every_process_and_make_exits_0(tmp_path):
    """As a person runs it: make in a terminal (a pseudo-terminal here), and Ctrl-C typed into it."""
    import fcntl
    import termios
    import threading

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OTPDASH_REDIS_URL")}
    env.update(OTPDASH_DATA_DIR=str(tmp_path / "data"), PYTHON=sys.executable)
    master, slave = os.openpty()
    screen = bytearray()

    def read_screen():  # the terminal must be read, or the processes writing to it would block
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            screen.extend(chunk)

    def controlling_terminal():  # after start_new_session's setsid(): the pty becomes make's terminal
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(["make", "run", f"BIND=127.0.0.1:{port}"], cwd=ROOT, env=env, stdin=slave, stdout=slave,
                            stderr=slave, start_new_session=True, preexec_fn=controlling_terminal)  # fmt: skip
    os.close(slave)
    reader = threading.Thread(target=read_screen, daemon=True)
    reader.start()
    try:
        wait_for(lambda: fetch(f"http://127.0.0.1:{port}/healthz")[0] == 200, 120, "/healthz to answer 200")
        started = tree(proc.pid)
        os.write(master, b"\x03")  # Ctrl-C: the terminal sends SIGINT to its foreground process group
        began = time.monotonic()
        code = proc.wait(timeout=30)
        left = wait_gone(started, max(0.0, 10 - (time.monotonic() - began)))
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        os.close(master)
    text = screen.decode(errors="replace")
    assert code == 0, text[-3000:]
    assert "Error 130" not in text and "stack: stopped" in text
    assert not left, f"still running 10 s after Ctrl-C: {left}"
