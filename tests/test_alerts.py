"""Alerts: who is told, when (quiet hours), exactly once, by email through a real SMTP server and by
Apprise to a local HTTP endpoint; a failing channel is switched off and its owner told."""

from __future__ import annotations

import json
import re
from datetime import datetime, time, timedelta, timezone

import pytest
from django.urls import reverse
from django.utils import timezone as django_tz

from accounts.models import Member
from incidents.models import Incident, Severity
from notify import delivery
from notify.alerts import due_at
from notify.models import Alert, Channel, Preference
from tests.accounts_data import LUCIA_CODE, NIGHT, PETER_CODE
from tests.findings import arrive
from tests.http_sink import HttpSink
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def sink():
    with HttpSink() as server:
        yield server


def _quiet_all_day(user):
    Member.objects.filter(user=user).update(quiet_start=time(0, 0), quiet_end=time(23, 59))
    user.member.refresh_from_db()


def _channel(member, url, label="phone"):
    from notify.apprise_channel import shown

    channel = Channel(member=member, label=label)
    channel.set_url(url, shown(url))
    channel.save()
    return channel


def test_low_alerts_wait_for_the_end_of_quiet_hours_in_the_persons_own_zone(member):
    profile = member.member
    profile.time_zone, profile.quiet_start, profile.quiet_end = "Europe/Berlin", time(23, 0), time(7, 0)
    night = datetime(2026, 11, 20, 1, 30, tzinfo=timezone.utc)  # 02:30 in Berlin
    assert due_at(profile, Severity.MEDIUM, night) == datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)
    assert due_at(profile, Severity.HIGH, night) == night
    evening = datetime(2026, 11, 20, 22, 30, tzinfo=timezone.utc)  # 23:30 in Berlin: until tomorrow 07:00
    assert due_at(profile, Severity.LOW, evening) == datetime(2026, 11, 21, 6, 0, tzinfo=timezone.utc)
    day = datetime(2026, 11, 20, 11, 0, tzinfo=timezone.utc)
    assert due_at(profile, Severity.LOW, day) == day


def test_a_wave_alerts_its_person_by_email_once_with_the_next_step_and_answer_links(member, household, smtp):
    join(household, "olivia", "owner")  # admins hear of high and critical ones by default: not this one
    _quiet_all_day(member)
    arrive(member, NIGHT, mail=PETER_CODE)
    (alert,) = Alert.objects.all()
    assert alert.member == member.member and alert.severity == Severity.MEDIUM
    assert alert.due_at > django_tz.now()  # medium, in quiet hours: it waits
    assert delivery.send_due() == 0 and smtp.messages == []
    assert delivery.send_due(now=alert.due_at) == 1
    assert delivery.send_due(now=alert.due_at + timedelta(minutes=1)) == 0  # never twice
    (mail,) = smtp.messages
    assert mail["To"] == "alice@example.org" and mail["Subject"] == "OTP Dash: medium alert, peter.weber@example.com"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert text.startswith("Someone is asking Microsoft for sign-in codes for peter.weber@example.com: a new wave")
    assert (
        "Next step: Change the password, and everywhere else it was used. https://account.live.com/password/Change"
        in text
    )
    assert re.search(
        r"Code \*\*\*\*\d\d \(20 Nov 02:00 UTC\): that was me http://localhost:8000/answer/\S+/ · not me", text
    )
    assert "Not me</a>" in html and "That was me</a>" in html
    assert Alert.objects.get().state == Alert.State.SENT


def test_high_alerts_go_at_once_and_admins_hear_of_them_by_preference(member, household, smtp):
    owner = join(household, "olivia", "owner")
    quiet_admin = join(household, "adam", "admin")
    Preference.objects.create(member=quiet_admin.member, admin_alerts=Preference.AdminAlerts.NONE)
    _quiet_all_day(member)
    arrive(member, NIGHT, mail=LUCIA_CODE)  # a security code: high
    assert sorted(a.member.display_name for a in Alert.objects.all()) == ["Alice", "Olivia"]
    assert delivery.send_due() == 2
    assert sorted(m["To"] for m in smtp.messages) == ["alice@example.org", "olivia@example.org"]
    assert owner.member.pk in Alert.objects.values_list("member_id", flat=True)


def test_a_wave_that_grows_before_its_alert_went_updates_that_alert(member, household):
    _quiet_all_day(member)
    arrive(member, NIGHT, mail=PETER_CODE)
    arrive(member, NIGHT + timedelta(minutes=5), mail=PETER_CODE)
    arrive(member, NIGHT + timedelta(minutes=10), mail=PETER_CODE)  # a burst: high
    (alert,) = Alert.objects.filter(member=member.member)
    assert alert.severity == Severity.HIGH and alert.due_at <= django_tz.now()
    assert Incident.objects.get().severity == Severity.HIGH


def test_a_claimed_alert_is_not_sent_by_a_second_worker(member, smtp):
    _quiet_all_day(member)
    arrive(member, NIGHT, mail=LUCIA_CODE)
    alert = Alert.objects.get()
    # Another worker claimed it a moment ago: this one finds nothing pending.
    Alert.objects.filter(pk=alert.pk).update(state=Alert.State.SENDING, claim="other", claimed_at=django_tz.now())
    assert delivery.send_due() == 0 and smtp.messages == []
    # A claim left by a worker that died is taken back after a while.
    assert delivery.send_due(now=django_tz.now() + delivery.STALE_CLAIM + timedelta(seconds=1)) == 1


def test_an_apprise_channel_gets_the_alert_and_a_failing_one_is_switched_off(client, member, sink):
    Preference.objects.create(member=member.member, email_alerts=False)
    channel = _channel(member.member, f"json://127.0.0.1:{sink.port}/hook")
    _quiet_all_day(member)
    arrive(member, NIGHT, mail=LUCIA_CODE)
    assert delivery.send_due() == 1
    (request,) = sink.received
    payload = json.loads(request["body"])
    assert payload["title"] == "OTP Dash: high alert, lucia.fernandez@example.org"
    assert "Someone is asking Microsoft for sign-in codes" in payload["message"]
    channel.refresh_from_db()
    assert channel.last_ok_at and channel.failures == 0

    sink.status = 500  # the service now refuses: three failures in a row switch the channel off
    for n in range(3):
        arrive(member, NIGHT + timedelta(days=3 * (n + 1)), mail=LUCIA_CODE)  # a new wave each time
        delivery.send_due()
    channel.refresh_from_db()
    assert not channel.enabled and channel.failures == 3 and channel.last_error
    sign_in(client, member)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Your alert channel “phone” is off" in page


def test_with_nowhere_to_send_the_alert_fails_and_says_why(member):
    Preference.objects.create(member=member.member, email_alerts=False)
    _quiet_all_day(member)
    arrive(member, NIGHT, mail=LUCIA_CODE)
    delivery.send_due()
    alert = Alert.objects.get()
    assert alert.state == Alert.State.FAILED and alert.outcome.startswith("no channel")


def test_a_channel_error_never_carries_the_urls_secrets():
    from notify.apprise_channel import scrub

    url = "tgram://123456789:AAbbCCddEEffGGhh/987654321?token=sekrit-value-1"
    error = f"Failed to send to {url}: bad token AAbbCCddEEffGGhh for chat 987654321 (sekrit-value-1)"
    cleaned = scrub(error, url)
    assert "AAbbCCddEEffGGhh" not in cleaned and "sekrit-value-1" not in cleaned and "987654321" not in cleaned
    assert cleaned.startswith("Failed to send to ****")
