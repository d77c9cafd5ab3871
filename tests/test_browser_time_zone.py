"""The time-zone box in Chromium set to another zone: the device's zone is offered on the profile and filled
in on joining, and the times then shown name it."""

from __future__ import annotations

import pytest

from tests.browser import sign_in, watch_console
from tests.people import join

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long household password 1"


def test_the_profile_offers_the_devices_zone_and_saves_it(live_server, browser):
    from accounts.models import Household, Member

    alice = join(Household.objects.create(name="Home"), "alice", password=PASSWORD)
    context = browser.new_context(timezone_id="Asia/Tokyo")
    page = context.new_page()
    problems: list[str] = []
    watch_console(page, problems)
    sign_in(page, live_server.url, "alice", PASSWORD)
    page.goto(f"{live_server.url}/profile/")
    box = page.get_by_label("Time zone")
    assert box.input_value() == "UTC" and box.get_attribute("list") == "time-zones"
    offer = page.get_by_role("button", name="Use this device's zone: Asia/Tokyo")
    offer.click()
    assert box.input_value() == "Asia/Tokyo" and not offer.is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert Member.objects.get(user=alice).time_zone == "Asia/Tokyo"
    assert "Times are in Asia/Tokyo (JST)" in page.locator("footer").inner_text()
    page.goto(f"{live_server.url}/profile/")
    assert not page.locator(".zone-suggest").is_visible()  # the same zone: nothing to offer
    assert problems == []
    context.close()


def test_joining_fills_in_the_devices_zone(live_server, browser):
    from accounts.models import Household, Invitation, Member

    home = Household.objects.create(name="Home")
    owner = join(home, "olivia", "owner", password=PASSWORD)
    invitation = Invitation.objects.create(household=home, email="paula@example.org", invited_by=owner)
    context = browser.new_context(timezone_id="America/Sao_Paulo")
    page = context.new_page()
    problems: list[str] = []
    watch_console(page, problems)
    page.goto(f"{live_server.url}/join/{invitation.token()}/")
    assert page.get_by_label("Time zone").input_value() == "America/Sao_Paulo"
    page.get_by_label("Your name").fill("Paula")
    page.get_by_label("Sign-in name").fill("paula")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Create my account").click()
    assert Member.objects.get(user__username="paula").time_zone == "America/Sao_Paulo"
    assert problems == []
    context.close()
