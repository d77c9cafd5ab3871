"""make bench-web: 50 members, 200 mailboxes and 200,000 sightings on the embedded SQLite database,
served by gunicorn; 10 clients from a second process load the household pages (dashboard, incidents,
the account list, the busiest account's page) for 30 s, each followed by a minimal signed-in page
(session, member lookup, a one-line template).

Last line: p50_ms=A p95_ms=B errors=C queries_per_page=D p95_ratio=X, where A and B are the household
pages' percentiles and X is their p95 divided by the minimal page's p95 in the same run: a figure
that does not depend on how fast or busy the machine is (target: at most 3.0).
Scale with BENCH_MEMBERS, BENCH_MAILBOXES, BENCH_SIGHTINGS, BENCH_CLIENTS, BENCH_SECONDS.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = Path(__file__).resolve().parent
WORKERS = int(os.environ.get("BENCH_WORKERS", str(max(2, 2 * (os.cpu_count() or 1)))))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_served(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited before serving")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/static/favicon.svg", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start serving within 60 s")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="otpdash-bench-web-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTPDASH_")}
    env.pop("DATABASE_URL", None)  # the embedded default, as `make run` serves it
    env.update(OTPDASH_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="otpdash.settings", OTPDASH_LOG_LEVEL="WARNING")
    python = sys.executable
    try:
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        filled = subprocess.run(
            [python, str(BENCH / "web_fill.py")], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        info = json.loads(filled.stdout.strip().splitlines()[-1])
        print(
            f"filled in {info['fill_s']} s; queries per page: {info['queries']}; "
            f"first request, nothing cached, in ms: {info['first_ms']}",
            flush=True,
        )
        port = free_port()
        server = subprocess.Popen(
            [
                python,
                "-m",
                "gunicorn",
                "otpdash.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        try:
            wait_until_served(port, server)
            clients = os.environ.get("BENCH_CLIENTS", "10")
            seconds = os.environ.get("BENCH_SECONDS", "30")
            load = subprocess.run(
                [
                    python,
                    str(BENCH / "web_load.py"),
                    str(port),
                    info["session"],
                    info["account_page"],
                    clients,
                    seconds,
                ],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        result = json.loads(load.stdout)
        per_page, errors, minimal = result["latencies"], result["errors"], result["minimal"]
        for error in sorted(set(errors))[:5]:
            print("error:", error)
        household = [ms for page, values in per_page.items() if page != minimal for ms in values]
        if not household or not per_page[minimal]:
            raise SystemExit("no request succeeded")
        for page, values in per_page.items():
            if values:
                print(
                    f"{page}: {len(values)} requests, p50 {percentile(values, 0.5):.1f} ms, p95 {percentile(values, 0.95):.1f} ms"
                )
        print(
            f"{len(household) + len(per_page[minimal])} requests by {clients} clients in {seconds} s on {WORKERS} "
            f"gunicorn workers; household pages mean {statistics.mean(household):.1f} ms",
            flush=True,
        )
        ratio = percentile(household, 0.95) / percentile(per_page[minimal], 0.95)
        print(
            f"p50_ms={percentile(household, 0.5):.1f} p95_ms={percentile(household, 0.95):.1f} "
            f"errors={len(errors)} queries_per_page={max(info['queries'].values())} p95_ratio={ratio:.2f}"
        )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
