"""`make bench-scan` keeps working: a small run prints the figures line (no timing is judged here)."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_scan_prints_its_figures_line():
    env = {**os.environ, "BENCH_MESSAGES": "400"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "tests/bench/bench_scan.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    figures = (
        r"initial_ratio=\d+\.\d\d incremental_ms=\d+\.\d idle_latency_ms=\d+ peak_rss_mb=\d+\.\d "
        r"prefilter_pass_rate=[01]\.\d{3} wall_s=\d+\.\d\d per_message_ms=\d+\.\d{3}"
    )
    assert re.fullmatch(figures, last), last
    # The first scan's two figures agree: per message is the wall time over the 400 (wall_s is rounded to 10 ms).
    values = {key: float(value) for key, value in (pair.split("=") for pair in last.split())}
    assert abs(values["per_message_ms"] - values["wall_s"] * 1000 / 400) <= 0.005 * 1000 / 400 + 0.001, last
