"""Alerts that follow a wave until someone acts (issue 25): "I'm on it" on the page and from the alert,
a daily "still happening" reminder, one escalation to the admins, and snoozing an account. Mail goes
through the real SMTP server; every alert is a row claimed once."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from datetime import timezone as tz

import pytest
from django.urls import reverse

from accounts.models import Household, Member
from incidents.models import AuditEvent, Incident, IncidentFinding, Severity
from msaccounts.models import Account, StepMark
from notify import delivery
from notify.followup import follow_up
from notify.models import Alert, EscalationSetting, Snooze
from scanner.models import Finding
from tests.people import join, never_quiet, sign_in

pytestmark = pytest.mark.django_db


def now() -> datetime:
    return datetime.now(tz.utc).replace(microsecond=0)


def code(owner, at: datetime, n: int) -> Finding:
    return Finding.objects.create(
        owner=owner, message_key=f"k{n}", category="ms_code", sender_auth="pass", arrived_at=at,
        codes_masked=["****12"], account_hint="alice@example.com", status="unsolicited",
    )  # fmt: skip


@pytest.fixture
def wave(member):
    """Alice's account under a wave: opened 30 h ago, its alert sent 25 h ago, two codes since."""
    never_quiet(member)
    account = Account.objects.create(member=member.member, address="alice@example.com", resolved=True)
    start = now() - timedelta(hours=30)
    incident = Incident.objects.create(
        household_id=member.member.household_id, kind=Incident.Kind.ACCOUNT, member=member.member, account=account,
        severity=Severity.HIGH, opened_at=start, last_seen_at=now() - timedelta(hours=1),
    )  # fmt: skip
    IncidentFinding.objects.create(incident=incident, finding=code(member, start, 1))
    Alert.objects.create(
        member=member.member, incident=incident, event=f"incident:{incident.pk}:opened:3", severity=3,
        due_at=start, state=Alert.State.SENT, sent_at=now() - timedelta(hours=25),
    )  # fmt: skip
    for n in (2, 3):
        IncidentFinding.objects.create(incident=incident, finding=code(member, now() - timedelta(hours=n), n))
    return incident


@pytest.fixture
def admin(household):
    user = join(household, "carol", "admin")
    never_quiet(user)
    return user


def test_a_wave_that_goes_on_reminds_its_person_once_a_day(wave, member, smtp):
    assert follow_up()["reminders"] == 1
    assert follow_up()["reminders"] == 0  # the same day: the row exists, nothing new
    (reminder,) = Alert.objects.filter(event__startswith="reminder:")
    assert reminder.member == member.member and reminder.incident == wave
    assert delivery.send_due() == 1
    (mail,) = smtp.messages
    assert mail["Subject"] == "OTP Dash: still happening, alice@example.com"
    text = mail.get_body(("plain",)).get_content()
    assert text.startswith("Still happening: 2 more codes for alice@example.com since your alert of ")
    assert re.search(r"I'm on it \(stops the reminders for everyone\): http://localhost:8000/take/\S+/", text)
    # Sent just now: tomorrow's reminder waits for a day and for newer codes.
    assert follow_up()["reminders"] == 0


@pytest.mark.parametrize(
    "change",
    ["taken", "wave_over", "no_new_codes", "steps_settled", "told_recently", "quiet_hours", "snoozed"],
)
def test_no_reminder_when(change, wave, member):
    if change == "taken":
        Incident.objects.filter(pk=wave.pk).update(state="acknowledged", assignee=member)
    elif change == "wave_over":
        Incident.objects.filter(pk=wave.pk).update(last_seen_at=now() - timedelta(hours=25))
    elif change == "no_new_codes":
        Finding.objects.filter(message_key__in=["k2", "k3"]).update(arrived_at=now() - timedelta(hours=27))
    elif change == "steps_settled":
        for step in ("password", "two_step", "activity", "security_info", "alias", "passwordless", "apps", "no_codes"):
            StepMark.objects.create(account=wave.account, step=step, state="not_applicable", actor=member)
    elif change == "told_recently":
        Alert.objects.filter(incident=wave).update(sent_at=now() - timedelta(hours=2))
    elif change == "quiet_hours":
        Member.objects.filter(user=member).update(quiet_start="00:00", quiet_end="23:59")
    elif change == "snoozed":
        Snooze.objects.create(member=member.member, account=wave.account, until=now() + timedelta(days=1))
    assert follow_up()["reminders"] == 0


def test_a_reminder_due_after_someone_took_it_is_not_sent(wave, member, smtp):
    follow_up()
    Incident.objects.filter(pk=wave.pk).update(state="acknowledged", assignee=member)
    assert delivery.send_due() == 0 and smtp.messages == []
    assert Alert.objects.get(event__startswith="reminder:").outcome == "not sent: someone is on it"


def test_a_serious_incident_nobody_takes_escalates_to_the_admins_once(wave, member, admin, smtp):
    made = follow_up()
    assert made["escalations"] == 1  # carol; alice is no admin
    assert follow_up()["escalations"] == 0
    (escalation,) = Alert.objects.filter(event__startswith="escalation:")
    assert escalation.member == admin.member
    delivery.send_due()
    to_carol = [m for m in smtp.messages if m["To"] == "carol@example.org"]
    (mail,) = to_carol
    assert mail["Subject"] == "OTP Dash: nobody is on it, high: alice@example.com"
    assert (
        "Nobody has taken this high incident and no checklist step was marked"
        in mail.get_body(("plain",)).get_content()
    )


def test_a_step_marked_or_an_incident_taken_or_a_longer_setting_means_no_escalation(wave, member, admin):
    StepMark.objects.create(account=wave.account, step="password", state="done", actor=member, at=now())
    assert follow_up()["escalations"] == 0
    StepMark.objects.all().delete()
    EscalationSetting.objects.create(household_id=wave.household_id, after_hours=48)
    assert follow_up()["escalations"] == 0
    EscalationSetting.objects.filter(household_id=wave.household_id).update(after_hours=2)
    Incident.objects.filter(pk=wave.pk).update(state="acknowledged")
    assert follow_up()["escalations"] == 0
    Incident.objects.filter(pk=wave.pk).update(state="open")
    assert follow_up()["escalations"] == 1


def test_im_on_it_on_the_page(wave, member, other_member, admin, client):
    page = sign_in(client, member).get(reverse("incident_detail", args=[wave.code])).content.decode()
    assert "I'm on it</button>" in page
    client.post(reverse("incident_take", args=[wave.code]))
    wave.refresh_from_db()
    assert (wave.state, wave.assignee) == ("acknowledged", member)
    assert AuditEvent.objects.get(action="incident.taken").summary == "Alice is on it"
    page = client.get(reverse("incident_detail", args=[wave.code])).content.decode()
    assert "Alice is on it.</strong>" in page and "I'm on it</button>" not in page
    # An admin pressing it later changes nothing and is told who has it.
    after = sign_in(client, admin).post(reverse("incident_take", args=[wave.code]), follow=True).content.decode()
    assert "Alice is already on it." in after
    assert AuditEvent.objects.filter(action="incident.taken").count() == 1
    # Bob is neither the person nor an admin: he cannot see it at all.
    assert sign_in(client, other_member).post(reverse("incident_take", args=[wave.code])).status_code == 404


def test_im_on_it_from_the_alert_link(wave, member, client, smtp):
    follow_up()
    delivery.send_due()
    text = smtp.messages[0].get_body(("plain",)).get_content()
    path = re.search(r"http://localhost:8000(/take/\S+/)", text).group(1)
    shown = client.get(path)
    assert shown.status_code == 200 and "Are you on it?" in shown.content.decode()
    assert Incident.objects.get(pk=wave.pk).state == "open"  # a mail scanner following the link changes nothing
    done = client.post(path)
    assert done.status_code == 200 and "Noted: you are on it" in done.content.decode()
    assert Incident.objects.get(pk=wave.pk).state == "acknowledged"
    assert "already on it" in client.post(path).content.decode()
    assert client.get(path[:-3] + "xx/").status_code == 400
    stranger = join(Household.objects.create(name="Next door"), "dave", "admin")
    assert sign_in(client, stranger).get(path).status_code == 403


def test_snoozing_an_account_silences_its_alerts_and_says_so(wave, member, admin, client, smtp):
    account = wave.account
    sign_in(client, member)
    page = client.get(reverse("account_detail", args=[account.code])).content.decode()
    assert "Silence for 7 days" in page
    client.post(reverse("snooze", args=[account.code]), {"days": "7"})
    snooze = Snooze.objects.get()
    assert timedelta(days=6, hours=23) < snooze.until - now() <= timedelta(days=7, seconds=5)
    assert "Alerts silenced:" in client.get("/dashboard/").content.decode()
    admin_view = sign_in(client, admin).get("/dashboard/").content.decode()
    assert "Alerts silenced:" in admin_view and "(Alice)" in admin_view
    Alert.objects.create(member=member.member, incident=wave, event="incident:x:raised:4", severity=4, due_at=now())
    delivery.send_due()
    assert Alert.objects.get(event="incident:x:raised:4").outcome.startswith(
        "not sent: alerts for alice@example.com are silenced until "
    )
    assert not [m for m in smtp.messages if m["To"] == "alice@example.org"]
    sign_in(client, member).post(reverse("snooze", args=[account.code]), {"days": "off"})
    assert not Snooze.objects.exists()


def test_snooze_input_is_checked(wave, member, other_member, client):
    sign_in(client, member)
    page = client.post(reverse("snooze", args=[wave.account.code]), {"days": "3"}, follow=True).content.decode()
    assert "Choose 1, 7 or 30 days" in page and not Snooze.objects.exists()
    assert (
        sign_in(client, other_member).post(reverse("snooze", args=[wave.account.code]), {"days": "1"}).status_code
        == 404
    )


def test_the_escalation_time_is_the_households_and_checked(admin, member, client):
    sign_in(client, admin)
    assert "When nobody is on it" in client.get(reverse("notifications")).content.decode()
    bad = client.post(reverse("escalation"), {"after_hours": "0"})
    assert bad.status_code == 400 and "Ensure this value is greater than or equal to 1." in bad.content.decode()
    client.post(reverse("escalation"), {"after_hours": "6"})
    assert EscalationSetting.objects.get().after_hours == 6
    assert sign_in(client, member).post(reverse("escalation"), {"after_hours": "1"}).status_code == 403
    assert "When nobody is on it" not in client.get(reverse("notifications")).content.decode()
