"""The image, built by `make image`: brought up with the README's compose commands, and run part by
part with podman: web, worker and watch containers on one volume (the embedded SQLite default). They start, /healthz and the first-start page
answer, a mailbox on a Dovecot on the host's network is linked and scanned with `manage` inside a
container, /healthz says so when the worker stops, and each container stops on SIGTERM within 10 s.
Run by `make test-containers` (after `make test` in CI), not by `make test`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.dovecot import MISSING, Dovecot, dovecot_binary
from tests.mailgen import code_mail
from tests.waiting import free_port
from tests.waiting import wait_for as wait

ROOT = Path(__file__).resolve().parents[2]
IMAGE = os.environ.get("OTPDASH_TEST_IMAGE", "localhost/otpdash:latest")


def podman(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "CONTAINERS_CONF": os.environ.get("CONTAINERS_CONF", str(ROOT / "deploy/podman/containers.conf")),
    }
    result = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def image():
    if shutil.which("podman") is None:
        pytest.fail("podman is not installed: run `make test-containers` (it installs podman runc mmdebstrap)")
    if podman("image", "exists", IMAGE, check=False).returncode != 0:
        pytest.fail(f"{IMAGE} is not built: run `make image` first (make test-containers does)")
    return IMAGE


@pytest.fixture
def server():
    if dovecot_binary() is None:
        pytest.fail(MISSING, pytrace=False)
    dovecot = Dovecot().start()
    dovecot.ca_file.chmod(0o644)  # read by the container's own user
    dovecot.ca_file.parent.chmod(0o755)
    yield dovecot
    dovecot.destroy()


class Install:
    """Containers of one install on one named volume, removed afterwards."""

    def __init__(self, image: str):
        self.image = image
        self.tag = uuid.uuid4().hex[:8]
        self.volume = f"otpdash-test-{self.tag}"
        self.port = free_port()
        self.names: list[str] = []
        podman("volume", "create", self.volume)

    def start(self, part: str) -> str:
        name = f"otpdash-{part}-{self.tag}"
        podman("run", "--detach", "--name", name, "--env", f"OTPDASH_BIND=127.0.0.1:{self.port}",
               "--volume", f"{self.volume}:/data", self.image, part)  # fmt: skip
        self.names.append(name)
        return name

    def manage(self, *args: str, mounts: tuple[str, ...] = (), env: dict | None = None) -> str:
        options = [item for mount in mounts for item in ("--volume", mount)]
        options += [item for key, value in (env or {}).items() for item in ("--env", f"{key}={value}")]
        result = podman("run", "--rm", "--volume", f"{self.volume}:/data", *options, self.image, "manage", *args,
                        timeout=300)  # fmt: skip
        return result.stdout

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{podman('logs', name, check=False).stderr[-3000:]}" for name in self.names)

    def remove(self) -> None:
        for name in self.names:
            podman("rm", "--force", "--time", "0", name, check=False)
        podman("volume", "rm", "--force", self.volume, check=False)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_for(predicate, seconds: float, what: str, install: Install):
    return wait(predicate, seconds, what, details=install.logs, interval=0.5)


def test_the_image_serves_links_and_scans_a_mailbox_and_stops_cleanly(image, server):
    install = Install(image)
    try:
        for part in ("web", "worker", "watch"):
            install.start(part)
        base = f"http://127.0.0.1:{install.port}"
        wait_for(lambda: get(f"{base}/healthz")[0] == 200, 120, "/healthz to answer 200", install)
        status, page = get(f"{base}/")
        assert status == 200 and "Create the owner account" in page  # the first-start page
        for name in install.names:  # web answers /healthz; worker and watch have reported in from their host
            wait_for(lambda n=name: podman("healthcheck", "run", n, check=False).returncode == 0, 30,
                     f"{name}'s health check", install)  # fmt: skip
        assert podman("exec", install.names[0], "id", "-u").stdout.strip() == "10001"  # not root
        # pg_dump for backups of a PostgreSQL install, of the major version compose.yaml's PostgreSQL has
        assert " 15." in podman("exec", install.names[0], "pg_dump", "--version").stdout

        server.append([code_mail(1)])
        install.manage("shell", "-c", "from django.contrib.auth.models import User; User.objects.create_user('alice')")
        mailbox = install.manage(
            "mailbox", "add", "--owner", "alice", "--host", "127.0.0.1", "--port", str(server.imaps_port),
            "--security", "ssl", "--username", "alice", "--password-env", "IMAP_PW", "--ca-file", "/ca.pem",
            mounts=(f"{server.ca_file}:/ca.pem:ro",), env={"IMAP_PW": server.users["alice"]},
        ).strip()  # fmt: skip
        install.manage("scan", "--mailbox", mailbox)
        found = [json.loads(line) for line in install.manage("sightings", "--json").splitlines()]
        assert [(f["message_id"], f["category"]) for f in found] == [("<code-1@otpdash.test>", "ms_code")]

        stop_within_10_s(install, install.names[1])  # the worker
        body = wait_for(lambda: (lambda r: r[0] == 503 and json.loads(r[1]))(get(f"{base}/healthz")), 30,
                        "/healthz to report the stopped worker", install)  # fmt: skip
        assert body["cluster_heartbeat_age_s"] is None and body["database"] == "ok"

        for name in (install.names[0], install.names[2]):
            stop_within_10_s(install, name)
    finally:
        install.remove()


def test_the_all_in_one_container_runs_every_part_and_stops_cleanly(image):
    install = Install(image)
    try:
        name = install.start("all")
        wait_for(lambda: get(f"http://127.0.0.1:{install.port}/healthz")[0] == 200, 120, "/healthz", install)
        assert podman("healthcheck", "run", name, check=False).returncode == 0
        stop_within_10_s(install, name)
    finally:
        install.remove()


def stop_within_10_s(install: Install, name: str) -> None:
    """podman stop sends SIGTERM, and SIGKILL only after 20 s: a clean stop is quick and exits 0."""
    began = time.monotonic()
    podman("stop", "--time", "20", name)
    took = time.monotonic() - began
    state = json.loads(podman("inspect", name).stdout)[0]["State"]
    assert took < 10, f"{name} took {took:.1f} s to stop on SIGTERM"
    assert state["ExitCode"] == 0, f"{name} exited with {state['ExitCode']}\n{install.logs()}"


def test_the_readme_commands_bring_up_a_working_install_with_compose(image, tmp_path):
    """`cp .env.example .env` and `podman-compose up -d`, as the README says (published on a free port
    instead of 8000, which may be taken here)."""
    if shutil.which("podman-compose") is None:
        pytest.fail("podman-compose is not installed: run `make test-containers` (it installs it)")
    port = free_port()
    published = (ROOT / "compose.yaml").read_text()
    assert '"127.0.0.1:8000:8000"' in published, "compose.yaml should publish the web part on 127.0.0.1 only"
    (tmp_path / "compose.yaml").write_text(published.replace('"127.0.0.1:8000:8000"', f'"127.0.0.1:{port}:8000"'))
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    project = f"otpdash{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "CONTAINERS_CONF": os.environ.get("CONTAINERS_CONF", str(ROOT / "deploy/podman/containers.conf")),
    }

    def compose(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["podman-compose", "-p", project, *args], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=300)  # fmt: skip

    up = compose("up", "-d")
    try:
        assert up.returncode == 0, up.stdout[-2000:] + up.stderr[-2000:]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if get(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            logs = compose("logs")
            raise AssertionError(f"/healthz never answered 200:\n{logs.stdout[-3000:]}{logs.stderr[-3000:]}")
        status, page = get(f"http://127.0.0.1:{port}/")
        assert status == 200 and "Create the owner account" in page
    finally:
        down = compose("down", "-v")
    assert down.returncode == 0, down.stderr[-2000:]
    assert project not in podman("ps", "-a", "--format", "{{.Names}}").stdout
