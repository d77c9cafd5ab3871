"""In a real browser: a member completes two checklist steps, a new wave reopens one, and the dashboard
shows it. Screenshots land in test-artifacts/."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as tz

import pytest

from tests.accounts_data import PETER_CODE
from tests.browser import ARTIFACTS, sign_in, watch_console
from tests.findings import arrive
from tests.people import join

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long household password 1"


def test_two_steps_done_then_a_new_wave_reopens_one(live_server, browser):
    from accounts.models import Household, Member

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    home = Household.objects.create(name="Home")
    alice = join(home, "alice", "member", password=PASSWORD)
    ten_days_ago = (datetime.now(tz.utc) - timedelta(days=10)).replace(hour=2, minute=0, second=0, microsecond=0)
    arrive(alice, ten_days_ago, mail=PETER_CODE)  # 02:00: quiet hours, a wave of one code

    problems: list[str] = []
    page = browser.new_page()
    watch_console(page, problems)
    sign_in(page, live_server.url, "alice", PASSWORD)
    page.goto(f"{live_server.url}/me/")
    lead = page.locator("section.next-step")
    assert "Change the password, and everywhere else it was used" in lead.inner_text()
    lead.get_by_role("link", name="Mark it on the checklist").click()
    with page.expect_navigation():  # each mark is a POST answered by a redirect back to the page
        page.locator("#step-password").get_by_role("button", name="Done").click()
    with page.expect_navigation():
        page.locator("#step-activity").get_by_role("button", name="Done").click()
    assert "Marked done by Alice" in page.locator("#step-activity").inner_text()
    page.goto(f"{live_server.url}/dashboard/")
    row = page.locator("table.matrix tbody tr").first
    assert row.locator("td[data-step=password]").get_attribute("class") == "step-done"
    assert row.locator("td[data-step=activity]").get_attribute("class") == "step-done"
    page.screenshot(path=str(ARTIFACTS / "checklist-two-done.png"), full_page=True)

    # A new wave: a code arrives now, in quiet hours that cover the whole day.
    Member.objects.filter(user=alice).update(quiet_start="00:00", quiet_end="23:59")
    # Dated a little after the clicks (a Date header holds whole seconds; clocks differ by as much).
    arrive(alice, datetime.now(tz.utc) + timedelta(seconds=30), mail=PETER_CODE)
    page.goto(f"{live_server.url}/dashboard/")
    row = page.locator("table.matrix tbody tr").first
    assert row.locator("td[data-step=activity]").get_attribute("class") == "step-to_do"
    assert row.locator("td[data-step=password]").get_attribute("class") == "step-done"  # single-use codes only
    assert "under attack now" in row.inner_text()
    page.screenshot(path=str(ARTIFACTS / "checklist-reopened.png"), full_page=True)
    row.get_by_role("link", name="peter.weber@example.com").click()
    assert "Reopened: a new wave of codes or alerts started on" in page.locator("#step-activity").inner_text()
    page.screenshot(path=str(ARTIFACTS / "account.png"), full_page=True)
    assert problems == []
