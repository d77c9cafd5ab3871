"""The digest preview shows the next digest exactly as it is then mailed (same code renders both), for
the person's own digest only, the household's part for admins; `send_digests --dry-run --user` prints
it; digests are dated in the person's own zone."""

from __future__ import annotations

import html
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone as django_tz

from notify import digests
from notify.models import DigestSent, Preference
from tests.accounts_data import PETER_CODE
from tests.findings import arrive
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r"/unsubscribe/[^/\s\"<>]+/")  # signed with the second it was made: differs run to run


def _codes(user, n=3):
    """n codes inside the period the next digest covers (it ends at its 08:00, maybe still ahead)."""
    now = datetime.now(timezone.utc)
    p = digests.period(user.member, Preference.Digest.WEEKLY, now)  # the week up to this Monday's 08:00
    latest = min(now, p.end)
    for k in range(n):
        arrive(user, latest - timedelta(days=k % 2, hours=1 + k), mail=PETER_CODE)


def _same(text: str) -> str:
    return TOKEN.sub("/unsubscribe/TOKEN/", text)


def _page_text(page: str) -> str:
    return html.unescape(re.search(r'<pre class="digest-text">(.*?)</pre>', page, re.S).group(1))


def test_the_preview_is_the_mail_that_is_then_sent(client, other_member, smtp):
    # Tokyo: the mail's dates differ from the server's (UTC) whenever the week's start is read in the wrong zone.
    other_member.member.time_zone = "Asia/Tokyo"
    other_member.member.save()
    _codes(other_member)
    bob = sign_in(client, other_member)
    page = bob.get(reverse("digest_preview")).content.decode()
    frame = bob.get(reverse("digest_preview_mail"))
    upcoming = digests.next_digest(other_member.member)
    assert not upcoming.done and "Your Microsoft codes: 3" in _page_text(page)
    # The worker sends this period's digest at its time (or at once, if that has passed).
    if upcoming.due_now:
        call_command("send_digests", stdout=io.StringIO())
    else:
        digests.send_digests(now=upcoming.period.due + timedelta(minutes=1))
    (sent,) = smtp.messages
    assert html.unescape(re.search(r"<dt>Subject</dt><dd>(.*?)</dd>", page).group(1)) == sent["Subject"]
    assert _same(_page_text(page)) == _same(sent.get_body(("plain",)).get_content()).replace("\r\n", "\n")
    assert _same(frame.content.decode()) == _same(sent.get_body(("html",)).get_content()).replace("\r\n", "\n")


def test_the_mail_frame_may_style_itself_and_nothing_else(client, member):
    response = sign_in(client, member).get(reverse("digest_preview_mail"))
    policy = response["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy and "script-src 'none'" in policy and "sandbox" in policy
    assert "frame-ancestors 'self'" in policy and response["X-Frame-Options"] == "SAMEORIGIN"
    page = sign_in(client, member).get(reverse("digest_preview"))
    assert "unsafe-inline" not in page["Content-Security-Policy"]  # the page itself keeps the strict policy
    assert re.search(r'<iframe[^>]+title="Your next digest mail[^"]*"[^>]+sandbox', page.content.decode())


def test_each_person_sees_their_own_and_an_admin_the_households_part(client, member, household, other_member):
    _codes(other_member)
    alice = sign_in(client, member).get(reverse("digest_preview")).content.decode()
    assert "Your Microsoft codes: 0" in _page_text(alice) and "The household" not in _page_text(alice)
    owner = join(household, "olivia", "owner")
    olivia = sign_in(Client(), owner).get(reverse("digest_preview")).content.decode()
    text = _page_text(olivia)
    assert "Your Microsoft codes: 0" in text and "Codes per person: Bob 3" in text
    assert "As an admin you also get the household's part" in olivia
    assert Client().get(reverse("digest_preview"))["Location"].startswith("/accounts/login/")


def test_off_empty_and_already_sent_are_said_in_words(client, member):
    alice = sign_in(client, member)
    empty = alice.get(reverse("digest_preview")).content.decode()
    assert "it will not be sent: there is nothing to report" in empty
    _codes(member)
    call_command("send_digests", "--now", stdout=io.StringIO())  # this period's, claimed
    after = alice.get(reverse("digest_preview")).content.decode()
    assert "This period's digest was already handled" in after
    now = django_tz.now()
    this = digests.period(member.member, Preference.Digest.WEEKLY, now)
    shown = digests.next_digest(member.member, now)
    assert shown.period.key != this.key and shown.period.due > now and not shown.due_now
    Preference.objects.update_or_create(member=member.member, defaults={"digest": Preference.Digest.OFF})
    off = alice.get(reverse("digest_preview")).content.decode()
    assert "Your digests are off, so none will be sent" in off and "digest-text" not in off
    assert "digests are off" in alice.get(reverse("digest_preview_mail")).content.decode()


def test_the_digest_is_dated_in_the_persons_own_zone(member):
    # Monday 08:00 in Tokyo is Sunday 23:00 UTC: a server-zone date would say the week began on Sunday.
    profile = member.member
    profile.time_zone = "Asia/Tokyo"
    profile.save()
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=profile.zone)
    upcoming = digests.next_digest(profile, monday.astimezone(timezone.utc))
    _subject, text, page, _headers = digests.rendered(upcoming.digest, upcoming.pref)
    # The digest of Monday 30 Nov covers the week up to it, from Monday 23 Nov 08:00 in Tokyo.
    assert text.startswith("OTP Dash for Alice, 23 Nov – 30 Nov 2026"), text[:80]
    assert "23 Nov – 30 Nov 2026" in page


def test_dry_run_with_a_user_prints_the_digest_that_would_be_sent(other_member, smtp):
    _codes(other_member)
    out = io.StringIO()
    call_command("send_digests", "--dry-run", "--now", "--user", "bob", stdout=out)
    printed = out.getvalue()
    assert "would send to bob@example.org" in printed and "The next digest for bob" in printed
    assert "Subject: OTP Dash weekly digest: 3 codes" in printed and "Your Microsoft codes: 3" in printed
    assert "To: bob@example.org" in printed and "Stop these digests: http://localhost:8000/unsubscribe/" in printed
    assert smtp.messages == [] and not DigestSent.objects.exists()  # a dry run sends and records nothing

    call_command("send_digests", "--now", "--user", "bob", stdout=io.StringIO())
    (sent,) = smtp.messages
    again = io.StringIO()
    call_command("send_digests", "--dry-run", "--now", "--user", "bob", stdout=again)
    printed = again.getvalue()
    assert printed.startswith("Nothing due.") and "was already handled" in printed
    assert "sent to bob@example.org" in printed and "The next digest for bob" in printed
    assert len(smtp.messages) == 1


def test_dry_run_for_someone_without_digests_says_so(other_member):
    Preference.objects.create(member=other_member.member, digest=Preference.Digest.OFF)
    out = io.StringIO()
    call_command("send_digests", "--dry-run", "--user", "bob", stdout=out)
    assert out.getvalue() == "Nothing due.\nbob gets no digests: they are turned off on the Notifications page.\n"
