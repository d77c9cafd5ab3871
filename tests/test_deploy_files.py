"""The files a self-hoster runs us with: the systemd units pass systemd's own checks, compose.yaml runs
the parts the image's entry point knows, and the entry point refuses what it does not know. The image
itself is built and run by `make test-containers` (tests/containers/)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))


@pytest.fixture
def units_here(tmp_path) -> list[Path]:
    """The units as installed under /opt/otpdash, pointed at this checkout so their programs exist."""
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing: apt-get install -y systemd")
    copies = []
    for unit in UNITS:
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text().replace("/opt/otpdash", str(ROOT)))
        copies.append(copy)
    return copies


def test_there_is_a_unit_for_each_part():
    assert [unit.name for unit in UNITS] == ["otpdash-watch.service", "otpdash-web.service", "otpdash-worker.service"]


def test_the_units_pass_systemd_analyze_verify(units_here):
    result = subprocess.run(["systemd-analyze", "verify", *map(str, units_here)], capture_output=True, text=True,
                            timeout=60)  # fmt: skip
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_the_units_are_hardened(units_here):
    for unit in units_here:
        text = unit.read_text()
        for option in (
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "ReadWritePaths=/var/lib/otpdash",
            "User=otpdash",
        ):
            assert option in text, (unit.name, option)
        result = subprocess.run(["systemd-analyze", "security", "--offline=true", "--threshold=25", str(unit)],
                                capture_output=True, text=True, timeout=60)  # fmt: skip
        assert result.returncode == 0, result.stdout[-1500:]  # exposure 2.5 or lower ("OK")


def test_compose_runs_web_worker_and_watch_on_one_volume_with_the_example_settings():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {name: service["command"] for name, service in services.items()} == {
        "web": ["web"], "worker": ["worker"], "watch": ["watch"],
    }  # fmt: skip
    for service in services.values():
        assert service["volumes"] == ["otpdash-data:/data"]
        assert service["env_file"] == ".env"
    assert "otpdash-data" in compose["volumes"]
    assert (ROOT / ".env.example").exists()  # what .env is copied from


def test_the_entry_point_refuses_an_unknown_part_and_runs_manage():
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    refused = subprocess.run([str(ROOT / "deploy" / "entrypoint.sh"), "serve"], capture_output=True, text=True, env=env,
                             timeout=60)  # fmt: skip
    assert refused.returncode == 64 and "usage: web | worker | watch | all | manage" in refused.stderr
    ran = subprocess.run([str(ROOT / "deploy" / "entrypoint.sh"), "manage", "migrate_locked", "--help"],
                         capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
    assert ran.returncode == 0 and "one process at a time" in ran.stdout
