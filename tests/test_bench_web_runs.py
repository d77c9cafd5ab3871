"""make bench-web at a small scale: it fills, serves with gunicorn, loads every household page and the
minimal page from a second process, and prints its figures line. (Speed is judged from the printed
figures, not here: this checks that the benchmark measures what it says it measures.)"""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("/dashboard/", "/incidents/", "/microsoft-accounts/", "/whoami/")


def test_bench_web_loads_every_page_and_prints_its_figures():
    env = {
        **os.environ,
        "BENCH_MEMBERS": "4",
        "BENCH_MAILBOXES": "6",
        "BENCH_SIGHTINGS": "3000",
        "BENCH_CLIENTS": "3",
        "BENCH_SECONDS": "2",
        "BENCH_WORKERS": "2",
    }
    result = subprocess.run(
        [sys.executable, "tests/bench/bench_web.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    match = re.fullmatch(
        r"p50_ms=([\d.]+) p95_ms=([\d.]+) errors=(\d+) queries_per_page=(\d+) p95_ratio=([\d.]+)", lines[-1]
    )
    assert match, lines[-1]
    assert match.group(3) == "0", result.stdout
    served = {m.group(1): int(m.group(2)) for m in map(re.compile(r"(/\S*): (\d+) requests").match, lines) if m}
    account_pages = [page for page in served if re.fullmatch(r"/microsoft-accounts/[0-9a-f-]{36}/", page)]
    assert set(PAGES) <= set(served) and len(account_pages) == 1, result.stdout
    assert all(count > 0 for count in served.values()), served
    assert float(match.group(5)) > 0
