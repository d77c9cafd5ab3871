"""Digests: due at 08:00 (Monday, or daily) in each person's own time zone, claimed once per period,
sent through a real SMTP server with List-Unsubscribe headers, nothing for an empty week unless asked,
and the unsubscribe flow."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from notify import digests
from notify.models import DigestSent, Preference
from tests.accounts_data import PETER_CODE
from tests.findings import arrive
from tests.people import join

pytestmark = pytest.mark.django_db


def test_the_weekly_digest_is_due_on_monday_at_eight_in_the_persons_zone(member):
    profile = member.member
    profile.time_zone = "Asia/Tokyo"
    monday = datetime(2026, 11, 30, 8, 0, tzinfo=profile.zone)
    p = digests.period(profile, Preference.Digest.WEEKLY, monday.astimezone(timezone.utc) + timedelta(minutes=10))
    assert p.key == "2026-W49" and monday <= p.due < monday + timedelta(minutes=digests.JITTER_MINUTES)
    assert p.end - p.start == timedelta(days=7)
    early = digests.period(profile, Preference.Digest.WEEKLY, monday - timedelta(hours=1))
    assert early.key == "2026-W49" and early.due > monday - timedelta(hours=1)  # not due before 08:00
    daily = digests.period(profile, Preference.Digest.DAILY, monday + timedelta(hours=3))
    assert daily.key == "2026-11-30" and daily.end - daily.start == timedelta(days=1)


def _week_of_codes(user):
    now = datetime.now(timezone.utc)
    for days in (1, 2, 2):
        arrive(user, now - timedelta(days=days, hours=1), mail=PETER_CODE)


def test_send_digests_now_mails_members_and_admins_once_with_unsubscribe_headers(member, household, smtp):
    owner = join(household, "olivia", "owner")
    _week_of_codes(member)
    out = io.StringIO()
    call_command("send_digests", "--now", stdout=out)
    by_to = {m["To"]: m for m in smtp.messages}
    assert set(by_to) == {"alice@example.org", "olivia@example.org"}, out.getvalue()
    alice = by_to["alice@example.org"]
    assert alice["Subject"].startswith("OTP Dash weekly digest: 3 codes")
    assert alice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert str(alice["List-Unsubscribe"]).strip().startswith("<http://localhost:8000/unsubscribe/")
    text = alice.get_body(("plain",)).get_content()
    html = alice.get_body(("html",)).get_content()
    assert "Your Microsoft codes: 3" in text and "- peter.weber@example.com: quiet since" in text
    assert "checklist 0 of 6; next: Change the password, and everywhere else it was used" in text
    # Said once per person, not a step of each account: the digest asks until it is acknowledged.
    assert "Never enter or read out a code you did not ask for: whoever types it in" in text
    assert "http://localhost:8000/me/" in text
    assert "#" * 20 + " 2" in text  # the busiest day's bar
    assert "<h3>Your Microsoft codes: 3</h3>" in html and "The household" not in text
    admin = by_to["olivia@example.org"].get_body(("plain",)).get_content()
    assert "Codes per person: Alice 3" in admin and "Alice, peter.weber@example.com: 0 of 6" in admin
    assert 'Not yet acknowledged "never enter a code": Alice, Olivia' in admin
    assert owner.member.digests.count() == 1

    again = io.StringIO()
    call_command("send_digests", "--now", stdout=again)
    assert len(smtp.messages) == 2 and "Nothing due." in again.getvalue()  # claimed: never twice


def test_an_empty_week_sends_nothing_unless_asked(member, household, smtp):
    call_command("send_digests", "--now", stdout=io.StringIO())
    assert smtp.messages == []
    assert DigestSent.objects.get().outcome == "nothing to report"
    DigestSent.objects.all().delete()
    Preference.objects.create(member=member.member, empty_digests=True)
    call_command("send_digests", "--now", "--user", "alice", stdout=io.StringIO())
    assert [m["To"] for m in smtp.messages] == ["alice@example.org"]


def test_dry_run_sends_and_records_nothing_and_a_wrong_user_is_named(member, smtp):
    _week_of_codes(member)
    out = io.StringIO()
    call_command("send_digests", "--now", "--dry-run", stdout=out)
    assert "alice 20" in out.getvalue() and "would send to alice@example.org" in out.getvalue()
    assert smtp.messages == [] and not DigestSent.objects.exists()
    with pytest.raises(CommandError, match="No member is called 'nobody'"):
        call_command("send_digests", "--user", "nobody")


def test_the_unsubscribe_link_asks_first_and_one_click_post_works_without_a_form(member, smtp):
    _week_of_codes(member)
    call_command("send_digests", "--now", stdout=io.StringIO())
    header = "".join(str(smtp.messages[0]["List-Unsubscribe"]).split())  # a long header comes folded
    url = header.strip("<>").replace("http://localhost:8000", "")
    client = Client(enforce_csrf_checks=True)  # a mail provider's one-click POST carries no CSRF token
    page = client.get(url)
    assert page.status_code == 200 and "Stop sending me digests" in page.content.decode()
    assert Preference.objects.filter(member=member.member, digest="off").count() == 0
    done = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "will get no more digests" in done.content.decode()
    assert Preference.objects.get(member=member.member).digest == Preference.Digest.OFF
    assert client.post(url[:-4] + "xyz/").status_code == 400


def test_an_unsubscribe_link_older_than_a_year_no_longer_works(member, monkeypatch):
    import time

    from notify.links import unsubscribe_url

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - 400 * 86400)  # the digest of 400 days ago
    old = unsubscribe_url(member.member).replace("http://localhost:8000", "")
    monkeypatch.setattr(time, "time", real)
    recent = unsubscribe_url(member.member).replace("http://localhost:8000", "")
    client = Client(enforce_csrf_checks=True)
    page = client.post(old, {"List-Unsubscribe": "One-Click"})
    assert page.status_code == 410 and "more than a year old" in page.content.decode()
    assert not Preference.objects.filter(member=member.member, digest="off").exists()
    assert client.post(recent, {"List-Unsubscribe": "One-Click"}).status_code == 200
