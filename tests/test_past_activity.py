"""A first scan's old mail as one summary per person (issue 24): a year of history through Dovecot opens
no incident and sends no alert, and reads as accounts targeted, codes per month and the last wave."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as tz

import pytest
from django.urls import reverse

from accounts.models import Household
from dashboard.history import past_activity
from incidents.models import Incident
from notify.models import Alert
from scanner.models import Finding
from scanner.scanning import scan_mailbox
from tests.findings import PHISHING, SINGLE_USE, with_date
from tests.mailgen import with_message_id
from tests.people import join, never_quiet, sign_in

pytestmark = pytest.mark.django_db
UTC = tz.utc


def dated(n: int, when: datetime, mail=SINGLE_USE) -> bytes:
    return with_date(with_message_id(mail.read_bytes(), f"<past-{n}@otpdash.test>"), when)


@pytest.fixture
def year_of_history(dovecot, member, make_mailbox):
    """Two codes on the 10th of each of the last twelve months, a burst of three five days ago,
    and a lookalike."""
    never_quiet(member)
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    mails, n = [], 0
    for back in range(1, 13):
        month = (today.replace(day=10) - timedelta(days=31 * back)).replace(day=10)
        for hour in (9, 15):
            n += 1
            mails.append(dated(n, month.replace(hour=hour)))
    burst = today - timedelta(days=8)
    for minutes in (0, 20, 40):
        n += 1
        mails.append(dated(n, burst + timedelta(minutes=minutes)))
    mails.append(dated(99, today - timedelta(days=100), PHISHING))
    dovecot.append(mails)
    scan_mailbox(make_mailbox(member))
    return burst


def test_a_year_of_history_opens_no_incident_sends_no_alert_and_sums_up(year_of_history, member):
    assert Finding.objects.filter(history=True).count() == 28
    assert not Finding.objects.filter(history=False).exists()
    assert not Incident.objects.exists() and not Alert.objects.exists()

    past = past_activity(member.member, UTC)
    assert (past.total, past.codes, past.lookalikes) == (28, 27, 1)
    assert sum(n for _, n in past.months) == 27 and len(past.months) >= 12
    assert past.last_wave.codes == 3 and past.last_wave.start == year_of_history
    assert past.last_wave.end == year_of_history + timedelta(minutes=40)
    ((account, n),) = past.accounts
    assert account.address == "anna.weber@example.com" and n == 27


def test_the_summary_page_and_its_one_action(year_of_history, member, client):
    sign_in(client, member)
    me = client.get(reverse("me")).content.decode()
    assert "Past activity found in the first scan" in me and reverse("past_activity") in me
    page = client.get(reverse("past_activity")).content.decode()
    assert "27</strong> Microsoft codes" in page and "1</strong> lookalike" in page
    assert "The last wave" in page and "3 codes." in page
    account = member.member.ms_accounts.get()
    assert f'href="{reverse("account_detail", args=[account.code])}">Start the checklist for these accounts' in page
    assert page.count('<tr><td data-label="Month">') >= 12  # one row per month


def test_nothing_old_says_so(member, client):
    page = sign_in(client, member).get(reverse("past_activity")).content.decode()
    assert "found nothing from before OTP Dash watched them" in page
    assert "Past activity found in the first scan" not in sign_in(client, member).get(reverse("me")).content.decode()


def test_an_admin_reads_a_members_summary_and_nobody_crosses_households(member, household, client):
    Finding.objects.create(
        owner=member,
        message_key="k1",
        category="ms_code",
        sender_auth="pass",
        history=True,
        arrived_at=datetime.now(UTC),
    )
    admin = join(household, "carol", "admin")
    page = sign_in(client, admin).get(reverse("past_activity"), {"who": str(member.member.code)})
    assert (
        page.status_code == 200
        and "Alice" in page.content.decode()
        and "1</strong> Microsoft code " in page.content.decode()
    )
    stranger = join(Household.objects.create(name="Next door"), "dave", "admin")
    crossing = sign_in(client, stranger).get(reverse("past_activity"), {"who": str(member.member.code)})
    assert crossing.status_code == 404
    assert sign_in(client, stranger).get(reverse("past_activity"), {"who": "not-a-code"}).status_code == 404
    # A plain member asking for someone else gets their own page, never the other's.
    other = join(household, "erin", "member")
    own = sign_in(client, other).get(reverse("past_activity"), {"who": str(member.member.code)}).content.decode()
    assert "found nothing" in own and "Alice" not in own
