"""Copy buttons in Chromium: what lands on the clipboard is exactly what the page shows."""

from __future__ import annotations

import pytest

from tests.browser import sign_in, watch_console
from tests.people import join

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long household password 1"


@pytest.fixture
def page(live_server, browser):
    from accounts.models import Household

    join(Household.objects.create(name="Home"), "olivia", "owner", password=PASSWORD)
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    problems: list[str] = []
    watch_console(page, problems)
    sign_in(page, live_server.url, "olivia", PASSWORD)
    yield page
    assert problems == []
    context.close()


def copied(page, button: str) -> str:
    page.evaluate("navigator.clipboard.writeText('')")
    page.get_by_role("button", name=button).click()
    page.get_by_role("button", name="Copied").wait_for()
    return page.evaluate("navigator.clipboard.readText()")


def test_the_invitation_link_is_copied_whole(page, live_server):
    page.goto(f"{live_server.url}/household/")
    page.get_by_label("Their email address").fill("paula@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Make an invitation link").click()
    link = page.get_by_label("Invitation link").input_value()
    assert link.startswith(f"{live_server.url}/join/") and copied(page, "Copy the link") == link


def test_the_authenticator_key_is_copied(page, live_server):
    page.goto(f"{live_server.url}/accounts/2fa/totp/activate")
    key = page.locator("#authenticator_secret").input_value()
    assert len(key) >= 16 and copied(page, "Copy the key") == key
    # The button says so for a moment, then reads as before.
    page.get_by_role("button", name="Copy the key").wait_for(timeout=5000)
