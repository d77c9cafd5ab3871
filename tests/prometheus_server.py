"""A private, real Prometheus (Debian's package) on 127.0.0.1 for tests: it scrapes the one target a test
gives it every second, with a bearer token, and answers queries on its HTTP API."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

from tests.server_process import ServerProcess
from tests.waiting import free_port, wait_for

MISSING = (
    "Prometheus is not installed, and the metrics test scrapes /metrics with a real one: run `make test` "
    "as root (it installs it), or `apt-get install -y prometheus`."
)


def prometheus_binary() -> str | None:
    return shutil.which("prometheus") or next((p for p in ("/usr/bin/prometheus",) if Path(p).exists()), None)


class Prometheus(ServerProcess):
    name = "prometheus"

    def __init__(self, target: str, token: str, metrics_path: str = "/metrics"):
        self.target, self.token, self.metrics_path = target, token, metrics_path  # target: "host:port"
        super().__init__()

    def start(self) -> Prometheus:
        binary = prometheus_binary()
        if binary is None:
            raise RuntimeError(MISSING)
        config = self.root / "prometheus.yml"
        # JSON is YAML: no YAML library needed to write it.
        config.write_text(
            json.dumps({
                "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
                "scrape_configs": [{
                    "job_name": "otpdash",
                    "metrics_path": self.metrics_path,
                    "authorization": {"type": "Bearer", "credentials": self.token},
                    "static_configs": [{"targets": [self.target]}],
                }],
            })
        )  # fmt: skip
        self.port = free_port()
        self._process = subprocess.Popen(
            [binary, f"--config.file={config}", f"--web.listen-address=127.0.0.1:{self.port}",
             f"--storage.tsdb.path={self.root / 'data'}", "--log.level=warn"],
            stdout=subprocess.DEVNULL, stderr=self.log_path.open("wb"),
        )  # fmt: skip
        wait_for(self._ready, 30, "Prometheus to be ready", lambda: self.log)
        return self

    def _ready(self) -> bool:
        if self._process.poll() is not None:
            raise AssertionError(f"Prometheus exited at start:\n{self.log}")
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as response:
            return response.status == 200

    def api(self, path: str, **params) -> dict:
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=5) as response:
            body = json.loads(response.read())
        assert body["status"] == "success", body
        return body["data"]

    def target_health(self) -> tuple[str, str]:
        """(health, last error) of the one target: health is "unknown" until the first scrape."""
        targets = self.api("targets", state="active")["activeTargets"]
        return (targets[0]["health"], targets[0]["lastError"]) if targets else ("unknown", "")

    def query(self, expression: str) -> dict[tuple, float]:
        """An instant query's vector as {sorted (label, value) pairs without name, job and instance: value}."""
        found = {}
        for series in self.api("query", query=expression)["result"]:
            labels = {k: v for k, v in series["metric"].items() if k not in ("__name__", "job", "instance")}
            found[tuple(sorted(labels.items()))] = float(series["value"][1])
        return found
