"""Debian's Chromium driven by Playwright (no `playwright install`: it cannot download here)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
MISSING = (
    "Chromium is missing: these tests drive Debian's browser. Install it with "
    "'sudo apt-get install -y chromium' (make test does this when run as root)."
)
# Without these, Chromium reaches for Google's services, which this machine's closed network refuses.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(os.environ.get("OTPDASH_TEST_ARTIFACTS", Path(__file__).resolve().parents[1] / "test-artifacts"))


def launch(playwright):
    if not CHROMIUM.exists():
        pytest.fail(MISSING, pytrace=False)
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)


def watch_console(page, problems: list[str]) -> None:
    """Collect CSP violations, script errors and failed requests: a strict CSP fails silently otherwise."""
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)


def sign_in(page, base: str, username: str, password: str) -> None:
    """Through the sign-in form, waiting for the page it leads to (a click alone races the next goto)."""
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
