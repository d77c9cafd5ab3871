"""A first scan's progress in Chromium at a phone's and a desktop's width: the bar is shown with its
words as its accessible name, and the page passes the page walk's checks (tests/test_browser_walk.py).
Screenshots land in test-artifacts/scan-progress/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser import ARTIFACTS, sign_in, watch_console
from tests.people import join
from tests.test_browser_walk import AXE, SIZES, check

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long household password 1"


def test_a_running_first_scan_shows_its_bar_on_a_phone_and_a_desktop(live_server, browser):
    from accounts.models import Household
    from mailboxes.models import Mailbox, ScanProgress

    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make venv-test` (it runs npm ci in tests/tooling)", pytrace=False)
    alice = join(Household.objects.create(name="Home"), "alice", password=PASSWORD)
    box = Mailbox(owner=alice, label="Home mail", host="imap.example.org", username="alice@example.org")
    box.set_secret("x")
    box.save()
    now = timezone.now()
    # Held for the whole test: the scan's lock, and a batch "just now" however slow the machine is.
    Mailbox.objects.filter(pk=box.pk).update(lock_token="scan", locked_until=now + timedelta(hours=1))
    ScanProgress.objects.create(mailbox=box, folder="INBOX", examined=12000, total=20000,
                                started_at=now - timedelta(minutes=3), updated_at=now)  # fmt: skip
    shots = ARTIFACTS / "scan-progress"
    shots.mkdir(parents=True, exist_ok=True)
    report = {}
    for size in ("phone", "desktop"):
        width, height = SIZES[size]
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        problems: list[str] = []
        watch_console(page, problems)
        sign_in(page, live_server.url, "alice", PASSWORD)
        for url in ("/mailboxes/", f"/mailboxes/{box.code}/"):
            page.goto(f"{live_server.url}{url}")
            bar = page.get_by_role("progressbar", name="First scan of INBOX: 12,000 of 20,000 messages")
            assert bar.is_visible(), (size, url)
            assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("12000", "20000")
            page.screenshot(
                path=str(shots / f"{size}-{'list' if url == '/mailboxes/' else 'mailbox'}.png"), full_page=True
            )
            found = check(page, problems)
            if found:
                report[f"{size} {url}"] = found
        context.close()
    assert not report, report
