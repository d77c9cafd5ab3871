"""make bench-web at a small scale: it fills, serves with gunicorn, loads from a second process and
prints its figures line. (Speed is judged from the printed figures, not here.)"""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_web_prints_its_figures():
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
    last = result.stdout.strip().splitlines()[-1]
    match = re.fullmatch(r"p50_ms=([\d.]+) p95_ms=([\d.]+) errors=(\d+) queries_per_page=(\d+)", last)
    assert match, last
    assert match.group(3) == "0", result.stdout
    assert float(match.group(1)) <= float(match.group(2))
