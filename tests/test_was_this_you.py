"""The first hour: every new code no rule decided on asks its person "Was this you?", and a first
scan's old mail is history (issue 24). Mail is the corpus's genuine code mail, redated."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from datetime import timezone as tz

import pytest

from incidents.models import Incident
from notify import delivery
from notify.models import Alert
from scanner.models import Finding
from scanner.scanning import scan_mailbox
from tests.findings import SINGLE_USE, arrive, with_date
from tests.mailgen import with_message_id
from tests.people import never_quiet

pytestmark = pytest.mark.django_db


def now() -> datetime:
    return datetime.now(tz.utc).replace(microsecond=0)


def dated(n: int, when: datetime) -> bytes:
    return with_date(with_message_id(SINGLE_USE.read_bytes(), f"<first-hour-{n}@otpdash.test>"), when)


def test_a_lone_daytime_code_asks_its_person_by_email_with_answer_links(member, smtp):
    never_quiet(member)
    finding = arrive(member, now() - timedelta(minutes=1))
    assert finding.status == Finding.Status.PENDING and not Incident.objects.exists()

    (alert,) = Alert.objects.all()
    assert (alert.finding_id, alert.incident_id) == (finding.pk, None)
    assert delivery.send_due() == 1
    (mail,) = smtp.messages
    assert mail["Subject"] == "OTP Dash: was this you? A Microsoft code for anna.weber@example.com"
    text = mail.get_body(("plain",)).get_content()
    assert text.startswith("A Microsoft code for anna.weber@example.com just arrived. Was this you?")
    assert re.search(r"Code \*\*\*\*94 \(.+\): that was me http://localhost:8000/answer/\S+/ · not me", text)
    assert "486894" not in mail.as_string()  # never the full code
    assert "Open your codes</a>" in mail.get_body(("html",)).get_content()


def test_codes_arriving_within_minutes_fold_into_one_question(member, smtp):
    never_quiet(member)
    start = now() - timedelta(minutes=3)
    arrive(member, start)
    arrive(member, start + timedelta(minutes=1))
    assert Alert.objects.count() == 1
    delivery.send_due()
    (mail,) = smtp.messages
    text = mail.get_body(("plain",)).get_content()
    assert text.startswith("2 Microsoft codes for anna.weber@example.com just arrived. Was this you?")
    assert len(re.findall(r"that was me http", text)) == 2


def test_a_code_answered_on_the_page_before_the_alert_went_is_not_asked_about(member, smtp):
    never_quiet(member)
    finding = arrive(member, now())
    Finding.objects.filter(pk=finding.pk).update(status=Finding.Status.EXPECTED)
    assert delivery.send_due() == 0 and smtp.messages == []
    alert = Alert.objects.get()
    assert (alert.state, alert.outcome) == (Alert.State.SENT, "not sent: already answered")


def test_a_code_the_rules_decide_on_asks_nothing(member):
    member.member.__class__.objects.filter(user=member).update(quiet_start="00:00", quiet_end="23:59")
    finding = arrive(member, now().replace(hour=12, minute=0))
    assert finding.status == Finding.Status.UNSOLICITED
    assert not Alert.objects.filter(event__startswith="question:").exists()


def test_a_first_scan_is_history_and_what_comes_after_it_asks(dovecot, member, make_mailbox, smtp):
    never_quiet(member)
    old = [dated(n, now() - timedelta(days=30, minutes=n)) for n in range(3)]  # a burst a month ago
    dovecot.append([*old, dated(9, now() - timedelta(hours=1))])
    mailbox = make_mailbox(member)

    scan_mailbox(mailbox)

    history = Finding.objects.filter(history=True)
    assert history.count() == 3 and not Incident.objects.exists()
    assert list(history.values_list("status", flat=True)) == ["pending"] * 3
    recent = Finding.objects.get(history=False)
    assert list(Alert.objects.values_list("finding_id", flat=True)) == [recent.pk]  # only the recent one asks
    account = member.member.ms_accounts.get(address="anna.weber@example.com")  # history still counts
    assert account.findings.filter(history=True).count() == 3

    assert delivery.send_due() == 1 and len(smtp.messages) == 1  # that question went out
    dovecot.append([dated(10, now())])
    scan_mailbox(mailbox)
    newest = Finding.objects.latest("arrived_at")
    assert not newest.history and Alert.objects.filter(finding=newest).exists()


def test_a_history_code_is_shown_as_past_activity_and_waits_for_nobody(member, client):
    from dashboard.stats import household_summary
    from tests.people import sign_in

    # At midday: a code that arrived in quiet hours is marked "not me" on its own, whatever the test's clock.
    finding = arrive(member, (now() - timedelta(days=40)).replace(hour=12, minute=0))
    Finding.objects.filter(pk=finding.pk).update(history=True)
    assert household_summary(member.member)["my_pending"] == 0
    sign_in(client, member)
    page = client.get("/codes/").content.decode()
    assert "past activity, found by the first scan" in page


def test_a_lookalike_row_says_which_mail_it_is_and_where_it_sits(dovecot, member, make_mailbox, client):
    from django.utils.html import escape

    from tests.findings import PHISHING

    dovecot.append([PHISHING.read_bytes()])
    scan_mailbox(make_mailbox(member))
    finding = Finding.objects.get()
    sign_in_as(client, member)
    page = client.get("/codes/?kind=phishing").content.decode()
    assert f"“{finding.subject[:60]}" in page
    assert "It is in INBOX of alice test." in page
    assert "<summary>Why</summary>" in page and escape(finding.reasons[0]) in page

    from tests.people import join

    admin = join(member.member.household, "olivia", "owner")
    sign_in_as(client, admin)
    everyone = client.get("/codes/?kind=phishing&who=all").content.decode()
    assert f"“{finding.subject[:60]}" in everyone and "It is in" not in everyone  # folders are the owner's own


def sign_in_as(client, user):
    from tests.people import sign_in

    sign_in(client, user)


def test_a_notice_of_a_change_asks_whether_it_was_you(member, client):
    from tests.findings import PASSWORD_CHANGED, UNUSUAL_SIGNIN
    from tests.people import sign_in

    arrive(member, now() - timedelta(hours=2), mail=PASSWORD_CHANGED)
    arrive(member, now() - timedelta(hours=1), mail=UNUSUAL_SIGNIN)
    sign_in(client, member)
    page = client.get("/codes/?kind=ms_alert").content.decode()
    assert page.count("Was this you?") == 1  # the password change; the sign-in notice is part of its incident
    assert "someone may be inside the account" in page


def test_the_incident_and_the_account_page_ask_it_of_a_change_too(member, client):
    from django.urls import reverse

    from msaccounts.models import Account
    from tests.findings import PASSWORD_CHANGED
    from tests.people import sign_in

    arrive(member, now() - timedelta(hours=2), mail=PASSWORD_CHANGED)
    sign_in(client, member)
    incident = Incident.objects.get()
    for url in (reverse("incident_detail", args=[incident.code]),
                reverse("account_detail", args=[Account.objects.get().code])):  # fmt: skip
        page = client.get(url).content.decode()
        assert page.count("Was this you?") == 1, url
        assert "someone may be inside the account" in page and "Nothing to answer" not in page, url


@pytest.mark.parametrize(
    ("template", "label"),
    [("unknown", "in wording OTP Dash does not know yet"), ("otp", "one-time code"),
     ("google_otp", "Google one-time code"), ("msa_password_changed", "password changed")],
)  # fmt: skip
def test_kinds_are_named_in_words_not_identifiers(template, label):
    assert Finding(template=template).template_label == label


def test_a_first_scan_resumed_after_a_failure_still_records_old_mail_as_history(
    dovecot, member, make_mailbox, monkeypatch
):
    """The cursor moves per batch, so the pass after a failed first read starts above it: that pass
    is still the first read, and a month-old burst in its part opens nothing (issue 28's review)."""
    from scanner import scanning

    never_quiet(member)
    old = now() - timedelta(days=30)
    dovecot.append([dated(100 + n, old + timedelta(minutes=n)) for n in range(6)])
    mailbox = make_mailbox(member)
    monkeypatch.setattr(scanning, "HEADER_BATCH", 2)
    real = scanning.record_batch

    def record_then_stop(*args, **kwargs):
        result = real(*args, **kwargs)
        dovecot.stop()
        return result

    monkeypatch.setattr(scanning, "record_batch", record_then_stop)
    assert scan_mailbox(mailbox).error is not None
    stored = Finding.objects.count()
    assert 0 < stored < 6
    dovecot.start()
    monkeypatch.setattr(scanning, "record_batch", real)
    assert scan_mailbox(mailbox).error is None
    assert Finding.objects.count() == 6 and Finding.objects.filter(history=False).count() == 0
    assert not Incident.objects.exists() and not Alert.objects.exists()
    # Then the first read is over: new mail is new, whatever its date says.
    dovecot.append([dated(200, old)])
    scan_mailbox(mailbox)
    assert Finding.objects.get(message_id="<first-hour-200@otpdash.test>").history is False
