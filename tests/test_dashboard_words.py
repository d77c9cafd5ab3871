"""The dashboard's words: a status line for the household, counts in the singular when there is one,
no red at zero, and "just now" rather than "0 minutes ago"."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as tz

import pytest
from django.template import Context, Template
from django.utils import timezone

from tests.findings import PHISHING, arrive
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db


def a_mailbox_of(owner) -> None:
    from mailboxes.models import Mailbox

    mailbox = Mailbox(owner=owner, label="home", host="imap.example.org", username=owner.username)
    mailbox.set_secret("x")
    mailbox.save()


def test_a_quiet_household_says_so_in_green(client, household):
    owner = join(household, "olivia", "owner")
    a_mailbox_of(owner)
    sign_in(client, owner)
    page = client.get("/dashboard/").content.decode()
    assert "status-line status-line-ok" in page and "All quiet" in page
    assert '<div class="tile"><span class="figure">0</span> not asked for' in page  # no red border at zero
    assert "Link your" not in page


def test_with_no_mailbox_linked_the_dashboard_says_it_has_seen_nothing_and_leads_onward(client, household):
    owner = join(household, "olivia", "owner")
    sign_in(client, owner)
    page = client.get("/dashboard/").content.decode()
    assert "All quiet" not in page and "status-line-ok" not in page
    assert "No mailbox is linked yet, so OTP Dash has not seen any mail" in page
    assert 'href="/mailboxes/new/">Link your first mailbox</a>' in page


def test_a_member_without_a_mailbox_of_their_own_is_asked_to_link_it(client, household):
    owner = join(household, "olivia", "owner")
    member = join(household, "bob", "member")
    a_mailbox_of(owner)
    sign_in(client, member)
    page = client.get("/dashboard/").content.decode()
    assert "All quiet" in page and ">Link your own mailbox</a>" in page


def test_accounts_under_attack_are_named_in_the_status_line(client, household):
    owner = join(household, "olivia", "owner")
    night = (datetime.now(tz.utc) - timedelta(days=1)).replace(hour=2, minute=0, second=0, microsecond=0)
    arrive(owner, night)  # quiet hours: not asked for, an incident and steps to do
    arrive(owner, night + timedelta(minutes=5), mail=PHISHING)
    sign_in(client, owner)
    page = client.get("/dashboard/").content.decode()
    assert "status-line-bad" in page and "1 account has checklist steps left; 2 incidents are not resolved." in page
    assert "1 lookalike, 30 days" in page
    assert '<span class="figure">1</span> code in 7 days' in page


def test_with_no_account_seen_nothing_is_called_settled(client, household):
    owner = join(household, "olivia", "owner")
    page = sign_in(client, owner).get("/dashboard/").content.decode()
    assert "Nothing yet: no Microsoft account has been seen in the linked mailboxes." in page
    assert "every step of every account" not in page


def test_every_account_with_steps_left_is_counted_not_one_per_person(client, household):
    from msaccounts.models import Account

    owner = join(household, "olivia", "owner")
    for n in range(3):
        Account.objects.create(member=owner.member, address=f"olivia{n}@example.com", resolved=True)
    page = sign_in(client, owner).get("/dashboard/").content.decode()
    assert "3 accounts have checklist steps left." in page


def test_just_now_instead_of_zero_minutes_ago():
    render = Template("{{ a|ago }} / {{ b|ago }}").render
    now = timezone.now()
    assert render(Context({"a": now, "b": now - timedelta(hours=3)})) == "just now / 3\xa0hours ago"


def test_the_signed_out_home_page_has_a_sign_in_button(client, household):
    join(household, "olivia", "owner")  # set up: the home page, not the first-start page
    assert '<a class="button" href="/accounts/login/">Sign in</a>' in client.get("/").content.decode()


def test_the_menu_marks_the_current_page_and_lists_mailboxes(client, household):
    owner = join(household, "olivia", "owner")
    sign_in(client, owner)
    page = client.get("/mailboxes/new/").content.decode()
    nav = page[page.index('id="main-nav"') : page.index("</nav>")]
    assert '<a href="/mailboxes/" aria-current="page">Mailboxes</a>' in nav
    assert nav.count('aria-current="page"') == 1
