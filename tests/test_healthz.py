"""/healthz: open to uptime monitors, telling only counts and ages, and 503 as soon as a part is down."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.manage_process import ROOT, Install
from tests.waiting import free_port, wait_for

KEYS = {"status", "database", "cluster_heartbeat_age_s", "watcher_heartbeat_age_s"}
OPERATOR_KEYS = KEYS | {"mailboxes_in_error"}  # a count across every household: the operator's only


@pytest.mark.django_db
def test_without_a_task_cluster_or_a_watcher_it_is_down_and_says_which(client):
    response = client.get("/healthz")  # nobody signed in
    assert response.status_code == 503
    body = response.json()
    assert set(body) == KEYS
    assert body["database"] == "ok" and body["status"] == "down"
    assert body["cluster_heartbeat_age_s"] is None and body["watcher_heartbeat_age_s"] is None
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_the_count_across_households_is_for_the_operator_only(client):
    from accounts.models import Household
    from mailboxes.models import Mailbox
    from tests.people import join, sign_in

    owner = join(Household.objects.create(name="Alpha"), "alma", "owner", staff=True)
    member = join(Household.objects.create(name="Beta"), "bodo", "owner")
    Mailbox.objects.create(owner=member, label="b", host="imap.x.test", username="b", state=Mailbox.State.ERROR)
    sign_in(client, member)
    assert set(client.get("/healthz").json()) == KEYS  # another household's owner learns nothing of Beta
    sign_in(client, owner)
    body = client.get("/healthz").json()
    assert set(body) == OPERATOR_KEYS and body["mailboxes_in_error"] == 1


def health(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def wait_for_status(port: int, status: int, seconds: float) -> dict:
    def answered():
        code, body = health(port)
        return body if code == status else None

    return wait_for(answered, seconds, f"/healthz to answer {status}", details=lambda: str(health(port)))


def test_it_tells_the_truth_as_the_worker_and_the_watcher_stop(tmp_path):
    install = Install(tmp_path / "data")
    install.manage("migrate", "--noinput", "-v", "0")
    port = free_port()
    web = subprocess.Popen([sys.executable, "-m", "otpdash.stack", "--bind", f"127.0.0.1:{port}", "web"], cwd=ROOT,
                           env=install.env, stdout=(tmp_path / "web.log").open("w"), stderr=subprocess.STDOUT)  # fmt: skip
    worker = install.popen("qcluster", log=tmp_path / "worker.log")
    watch = install.popen("watch", log=tmp_path / "watch.log")
    try:
        body = wait_for_status(port, 200, 60)
        assert set(body) == KEYS and body["status"] == "ok"
        assert 0 <= body["cluster_heartbeat_age_s"] <= 30 and 0 <= body["watcher_heartbeat_age_s"] <= 30
        for part in ("worker", "watch"):  # a container's health check for the parts that serve no page
            assert install.manage("health", "--part", part).stdout.strip() == f"{part}: ok"

        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        stopped = time.monotonic()
        body = wait_for_status(port, 503, 15)
        assert body["cluster_heartbeat_age_s"] is None and body["watcher_heartbeat_age_s"] is not None
        assert time.monotonic() - stopped < 10
        down = install.manage("health", "--part", "worker", check=False)
        assert down.returncode == 1 and "no worker on this host has reported in" in down.stderr
        assert install.manage("health", check=False).returncode == 1

        worker = install.popen("qcluster", log=tmp_path / "worker.log")
        wait_for_status(port, 200, 60)
        watch.send_signal(signal.SIGTERM)
        watch.wait(timeout=30)
        body = wait_for_status(port, 503, 15)
        assert body["watcher_heartbeat_age_s"] is None and body["cluster_heartbeat_age_s"] is not None
    finally:
        for process in (web, worker, watch):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (web, worker, watch):
            process.wait(timeout=30)
