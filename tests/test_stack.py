"""`python -m otpdash.stack`, the process model of `make run`: a part that dies is started again,
and neither SIGTERM nor the stack's own death leaves a process behind."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import urllib.request

from tests.manage_process import ROOT, Install
from tests.processes import alive, tree, wait_gone
from tests.waiting import free_port, wait_for


def started(log, role: str) -> list[int]:
    return [int(pid) for pid in re.findall(rf"stack: {role} started \(pid (\d+)\)", log.read_text())]


def serves(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
        return response.status == 200


def start_stack(tmp_path, *roles):
    install = Install(tmp_path / "data")
    install.manage("migrate", "--noinput", "-v", "0")
    port = free_port()
    log = tmp_path / "stack.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "otpdash.stack", "--bind", f"127.0.0.1:{port}", *roles],
        cwd=ROOT, env=install.env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    return proc, port, log


def test_a_part_that_dies_is_started_again_and_sigterm_stops_everything(tmp_path):
    proc, port, log = start_stack(tmp_path)
    try:
        wait_for(lambda: serves(port), 60, "the first page")
        wait_for(lambda: "watch: started" in log.read_text(), 30, "the watcher")
        wait_for(lambda: "running" in log.read_text().split("Q Cluster", 1)[-1], 30, "the task cluster")
        [web] = started(log, "web")
        web_processes = tree(web)
        assert len(web_processes) == 2  # gunicorn's arbiter and its one threaded worker
        subprocess.run(["kill", "-KILL", str(web)], check=True)  # the arbiter only: its worker is left
        wait_for(lambda: len(started(log, "web")) == 2, 20, "the web part to be started again")
        assert not wait_gone(web_processes, 5), "the dead part's worker was left holding the port"
        wait_for(lambda: serves(port), 30, "the page from the new web part")
        assert "web ended unexpectedly (killed by SIGKILL)" in log.read_text()
        everything = tree(proc.pid)
        assert len(everything) >= 9, everything  # stack, web 2, cluster 5 (2 workers), watcher
    finally:
        proc.send_signal(signal.SIGTERM)
        began = time.monotonic()
        proc.wait(timeout=15)
    assert time.monotonic() - began < 10
    assert proc.returncode == 0, log.read_text()[-2000:]
    assert not [pid for pid in everything if alive(pid)]
    text = log.read_text()
    assert "watch: stopped" in text and "has stopped" in text and "stack: stopped" in text
    assert "did not stop" not in text  # each part stopped by itself, none had to be killed


def test_parts_stop_when_the_stack_itself_is_killed(tmp_path):
    proc, port, log = start_stack(tmp_path, "web", "watch")
    try:
        wait_for(lambda: serves(port), 60, "the first page")
        wait_for(lambda: "watch: started" in log.read_text(), 30, "the watcher")
        parts = [pid for pid in tree(proc.pid) if pid != proc.pid]
        assert parts
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert not wait_gone(parts, 10), "a part outlived the stack"
    assert "watch: SIGTERM received" in log.read_text()  # stopped in order, not killed


def test_an_unknown_part_is_refused_with_the_choices():
    result = subprocess.run([sys.executable, "-m", "otpdash.stack", "webb"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2
    assert "unknown part 'webb': choose from web, worker, watch" in result.stderr
