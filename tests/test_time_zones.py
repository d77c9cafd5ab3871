"""Time zones: the list people pick from, what a typed zone is read as, and every time shown with its zone."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timezone

import pytest
from django.urls import reverse

from accounts import zones
from accounts.models import Invitation, Member
from incidents import triage
from msaccounts.models import Account
from tests.accounts_data import PETER_ALERT
from tests.findings import arrive
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db


def test_the_list_is_the_zones_per_country_without_old_aliases():
    names = [zone.name for zone in zones.zones()]
    assert len(names) == len(set(names)) and set(names) <= zoneinfo.available_timezones()
    # Names people look for, Oslo among them although the tz database links it to Berlin since 2022.
    assert {"UTC", "Europe/Berlin", "Europe/Oslo", "Asia/Kolkata", "America/New_York", "Europe/Kyiv"} <= set(names)
    # Old names, kept by the tz database only so that old settings still load (its "backward" file).
    old = {"Africa/Asmera", "US/Eastern", "Asia/Calcutta", "Europe/Kiev", "GMT", "EST5EDT", "Etc/GMT+5", "Cuba"}
    assert not old & set(names)
    assert 300 < len(names) < 500  # one or more per country, not the ~600 names zoneinfo knows
    berlin = next(zone for zone in zones.zones() if zone.name == "Europe/Berlin")
    assert berlin.label == "Germany – Berlin (most of Germany)"


@pytest.mark.parametrize(
    "typed, zone",
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("  europe/berlin ", "Europe/Berlin"),
        ("Germany – Berlin (most of Germany)", "Europe/Berlin"),  # a label picked from the list
        ("berlin", "Europe/Berlin"),
        ("New York", "America/New_York"),
        ("Japan", "Asia/Tokyo"),  # a country with one zone
        ("US/Eastern", "America/New_York"),  # an old alias becomes its zone
        ("Asia/Calcutta", "Asia/Kolkata"),  # what older browsers report for India
        ("Etc/GMT+5", "Etc/GMT+5"),  # valid, not in the list: kept as typed
        ("utc", "UTC"),
    ],
)
def test_what_people_type_is_read_as_one_zone(typed, zone):
    assert zones.resolve(typed) == zone


@pytest.mark.parametrize(
    "typed, message",
    [
        ("Germany", "Germany has 2 time zones (Europe/Berlin, Europe/Busingen); pick one from the list."),
        ("Mars/Olympus", "'Mars/Olympus' is not a time zone we know"),
        ("", "Type a city or country"),
    ],
)
def test_a_zone_that_is_not_one_says_why(typed, message):
    with pytest.raises(zones.UnknownZone, match=message.replace("(", r"\(").replace(")", r"\)")):
        zones.resolve(typed)


def berlin_now() -> str:
    """CET or CEST, as it is in Berlin now."""
    return datetime.now(zoneinfo.ZoneInfo("Europe/Berlin")).tzname()


def profile_data(**change):
    return {"display_name": "Alice", "time_zone": "UTC", "quiet_start": "23:00", "quiet_end": "07:00", **change}


def test_the_profile_box_searches_the_list_and_saves_what_was_meant(client, member):
    sign_in(client, member)
    page = client.get(reverse("profile")).content.decode()
    assert 'list="time-zones"' in page and '<datalist id="time-zones">' in page
    assert '<option value="Europe/Berlin" label="Germany – Berlin (most of Germany)">' in page
    assert "Africa/Asmera" not in page
    assert client.post(reverse("profile"), profile_data(time_zone="berlin")).status_code == 302
    assert Member.objects.get(user=member).time_zone == "Europe/Berlin"


def test_an_old_alias_is_kept_until_the_profile_is_saved_then_becomes_its_zone(client, member):
    Member.objects.filter(user=member).update(time_zone="US/Eastern")
    sign_in(client, member)
    page = client.get(reverse("profile")).content.decode()
    assert 'value="US/Eastern"' in page  # shown as stored: nothing is changed behind the person's back
    assert client.post(reverse("profile"), profile_data(time_zone="US/Eastern")).status_code == 302
    assert Member.objects.get(user=member).time_zone == "America/New_York"


def test_joining_takes_the_zone_given_and_utc_when_none_is(client, household):
    owner = join(household, "olivia", "owner")
    for name, typed, stored in (("paula", "Europe/Paris", "Europe/Paris"), ("ursula", "", "UTC")):
        invitation = Invitation.objects.create(household=household, email=f"{name}@example.org", invited_by=owner)
        data = {
            "display_name": name.capitalize(),
            "username": name,
            "password1": "correct horse battery staple",
            "password2": "correct horse battery staple",
            "time_zone": typed,
        }
        response = client.post(f"/join/{invitation.token()}/", data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Member.objects.get(user__username=name).time_zone == stored
        client.post(reverse("account_logout"))


def test_every_time_on_a_page_is_in_the_viewers_zone_with_the_zone_named(client, member):
    Member.objects.filter(user=member).update(time_zone="Europe/Berlin", quiet_start="12:00", quiet_end="12:00")
    arrive(member, datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc))
    arrive(member, datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc))  # summer time
    sign_in(client, member)
    page = client.get(reverse("codes") + "?who=mine").content.decode()
    assert '<time datetime="2026-11-20T12:00:00Z" title="Friday 20 November 2026, 13:00 (Europe/Berlin)">' in page
    assert "Fri 20 Nov, 13:00 CET</time>" in page and "Wed 1 Jul, 14:00 CEST</time>" in page
    assert f"Times are in Europe/Berlin ({berlin_now()}), your time zone" in page


def test_the_audit_log_names_the_zone_of_each_time_it_holds(client, household):
    olivia = join(household, "olivia", "owner", time_zone="Asia/Tokyo")
    bob = join(household, "bob", time_zone="Europe/Berlin")
    triage.open_window(bob.member, bob)
    sign_in(client, olivia)
    page = client.get(reverse("audit_log")).content.decode()
    # Bob's window is written in his zone, named; the log's own times are in the viewer's (JST).
    assert f"{berlin_now()} count as expected" in page
    assert "JST</time>" in page and "UTC" not in page


def test_a_sign_in_notice_states_microsofts_utc_time_in_the_viewers_zone(client, member):
    Member.objects.filter(user=member).update(time_zone="Europe/Berlin")
    arrive(member, datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc), mail=PETER_ALERT)
    sign_in(client, member)
    account = Account.objects.get()
    page = " ".join(client.get(reverse("account_detail", args=[account.code])).content.decode().split())
    assert "Android / Chrome Mobile, 27 Feb 2026, 03:37 CET" in page  # Microsoft wrote 02:37 UTC
