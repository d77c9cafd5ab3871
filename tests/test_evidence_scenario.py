"""Issue 25's scenario through Dovecot, with the clock in the test's hands (mail dates, mark times and
the `now` the follow-up and the overview are asked at): a wave, the alias step marked, a code after the
grace (contradicted, reopened, one alert), then fourteen quiet days (confirmed); Microsoft's
password-changed notice marking its step; `manage.py accounts --json` reporting each step's evidence;
a reminder once a day during the wave and none after "I'm on it"."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from datetime import timezone as tz

import pytest
from django.core.management import call_command

from incidents import workflow
from incidents.models import Incident
from msaccounts import checklist
from msaccounts.models import Account, StepMark
from msaccounts.overview import overview
from notify.followup import follow_up
from notify.models import Alert
from scanner.models import Finding
from scanner.scanning import scan_mailbox
from tests.findings import PASSWORD_CHANGED, SINGLE_USE, with_date
from tests.mailgen import with_message_id
from tests.people import never_quiet

pytestmark = pytest.mark.django_db
UTC = tz.utc


def mail(n: int, when: datetime, source=SINGLE_USE) -> bytes:
    return with_date(with_message_id(source.read_bytes(), f"<scenario-{n}@otpdash.test>"), when)


def evidence_json(username: str, address: str) -> dict:
    out = io.StringIO()
    call_command("accounts", "--json", "--owner", username, stdout=out)
    (line,) = [line for line in out.getvalue().splitlines() if json.loads(line)["address"] == address]
    return json.loads(line)


def test_the_alias_step_contradicted_then_confirmed_and_a_notice_marking_the_password(
    dovecot, member, make_mailbox, smtp
):
    never_quiet(member)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=20)
    dovecot.append([mail(1, start), mail(2, start + timedelta(minutes=3))])  # the wave, twenty days ago
    mailbox = make_mailbox(member)
    scan_mailbox(mailbox)
    account = Account.objects.get(address="anna.weber@example.com")
    checklist.mark(account, "alias", "done", member.member)
    StepMark.objects.filter(account=account, step="alias").update(at=start + timedelta(hours=2))

    # A code after the grace: the step did not hold.
    late = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    dovecot.append([mail(3, late)])
    scan_mailbox(mailbox)
    reopened = checklist.states([account])[account.pk]["alias"]
    assert (reopened.state, reopened.evidence) == ("to_do", "contradicted")
    assert reopened.finding.message_id == "<scenario-3@otpdash.test>"
    assert Alert.objects.filter(event__startswith="contradicted:").count() == 1
    report = evidence_json("alice", "anna.weber@example.com")
    assert report["checklist"]["alias"] == "to_do"
    assert report["evidence"]["alias"]["evidence"] == "contradicted"
    assert report["evidence"]["alias"]["source"]["message_id"] == "<scenario-3@otpdash.test>"
    assert report["evidence"]["two_step"] == {"evidence": "none", "source": None}

    # Done again; fourteen days later with no code since, the mail confirms it.
    checklist.mark(account, "alias", "done", member.member)
    marked = checklist.states([account])[account.pk]["alias"].at
    account.refresh_from_db()
    assert "alias" not in overview([account], UTC, now=marked + timedelta(days=13))[0].proofs
    (later,) = overview([account], UTC, now=marked + timedelta(days=14, minutes=1))
    assert later.proofs["alias"].kind == "confirmed"

    # Microsoft's notice that the password changed: the step is done by that mail.
    dovecot.append([mail(4, datetime.now(UTC) - timedelta(minutes=1), PASSWORD_CHANGED)])
    scan_mailbox(mailbox)
    notice = Finding.objects.get(message_id="<scenario-4@otpdash.test>")
    password_account = notice.account_link.account
    report = evidence_json("alice", password_account.address)
    assert report["checklist"]["password"] == "done"
    assert report["evidence"]["password"]["evidence"] == "notice"
    assert report["evidence"]["password"]["source"]["finding"] == str(notice.code)


def test_a_reminder_once_a_day_during_the_wave_and_none_after_im_on_it(dovecot, member, make_mailbox, smtp):
    from accounts.models import Member

    # Quiet hours make the wave's codes "not me", so an incident opens; the follow-up then runs by day.
    now = datetime.now(UTC).replace(microsecond=0)
    Member.objects.filter(user=member).update(quiet_start="00:00", quiet_end="23:59")
    mailbox = make_mailbox(member)
    scan_mailbox(mailbox)  # the first pass: an empty mailbox, so what follows is new mail
    dovecot.append([mail(10, now - timedelta(minutes=30))])
    scan_mailbox(mailbox)
    incident = Incident.objects.get()
    never_quiet(member)  # the person's waking hours from here on
    # The wave's alert waited for the end of the quiet hours; say it went out 20 minutes ago.
    (alert,) = Alert.objects.filter(incident=incident)
    Alert.objects.filter(pk=alert.pk).update(state="sent", sent_at=now - timedelta(minutes=20))
    dovecot.append([mail(11, now - timedelta(minutes=10)), mail(12, now - timedelta(minutes=5))])
    scan_mailbox(mailbox)
    Incident.objects.filter(pk=incident.pk).update(last_seen_at=now)

    assert follow_up(now + timedelta(hours=2))["reminders"] == 0  # told 20 minutes ago
    assert follow_up(now + timedelta(hours=24))["reminders"] == 1
    assert follow_up(now + timedelta(hours=24, minutes=5))["reminders"] == 0  # the same day: once
    workflow.take(incident, member)
    Alert.objects.filter(event__startswith="reminder:").update(state="sent", sent_at=now + timedelta(hours=24))
    assert follow_up(now + timedelta(hours=49))["reminders"] == 0  # someone is on it: never again
