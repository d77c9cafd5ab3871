"""Remediation proven by what arrives (issue 25): codes after the alias step contradict it, fourteen
quiet days confirm it, and Microsoft's notice of a change marks its step done unless its person says it
was not them. Mail is the corpus's genuine Microsoft mail, redated, through detect() and the store."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as tz

import pytest
from django.urls import reverse

from incidents.models import Incident, Severity
from msaccounts import checklist
from msaccounts.models import StepMark
from msaccounts.overview import overview
from notify import delivery
from notify.models import Alert
from scanner.models import Finding
from tests.accounts_data import LUCIA_INFO_ADDED
from tests.findings import PASSWORD_CHANGED, SINGLE_USE, arrive
from tests.people import never_quiet, sign_in

pytestmark = pytest.mark.django_db
UTC = tz.utc


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def alias_done(member):
    """Anna's account: a code came ten days ago, and she turned off sign-in with the address (the alias
    step) an hour later."""
    never_quiet(member)
    first = arrive(member, now() - timedelta(days=10))
    account = first.account_link.account
    checklist.mark(account, "alias", "done", member.member)
    StepMark.objects.filter(account=account, step="alias").update(at=now() - timedelta(days=10) + timedelta(hours=1))
    account.refresh_from_db()
    return account


def current_alias(account) -> StepMark:
    return checklist.states([account])[account.pk]["alias"]


def test_a_code_after_the_alias_step_reopens_it_and_tells_the_person_once(alias_done, member, client, smtp):
    arrive(member, now() - timedelta(minutes=5))
    mark = current_alias(alias_done)
    assert (mark.state, mark.evidence) == ("to_do", "contradicted")
    assert mark.reason.startswith("codes still arrive for anna.weber@example.com since you turned it off on ")
    assert mark.reason.endswith(": check Sign-in preferences")
    assert mark.finding is not None and mark.finding.is_code

    (view,) = overview([alias_done], UTC)
    assert view.state_text == "marked done, but codes keep coming"
    assert ("alias", "contradicted") in [(key, state) for key, _, state, _ in view.cells]
    page = sign_in(client, member).get(reverse("account_detail", args=[alias_done.code])).content.decode()
    assert "Contradicted by what arrived:</strong> codes still arrive for anna.weber@example.com" in page
    assert reverse("finding_detail", args=[mark.finding.code]) in page

    arrive(member, now() - timedelta(minutes=2))  # more codes: no second reopening, no second alert
    assert StepMark.objects.filter(step="alias", evidence="contradicted").count() == 1
    (alert,) = Alert.objects.filter(event__startswith="contradicted:")
    delivery.send_due()
    mails = [m for m in smtp.messages if m["Subject"] == "OTP Dash: codes still arrive for anna.weber@example.com"]
    assert len(mails) == 1
    text = mails[0].get_body(("plain",)).get_content()
    assert text.startswith("Codes still arrive for anna.weber@example.com since you turned it off on ")
    assert "The step is open again." in text


def test_mail_already_in_flight_does_not_contradict(alias_done, member):
    done_at = current_alias(alias_done).at
    arrive(member, done_at + timedelta(minutes=30))
    assert current_alias(alias_done).state == "done"


def test_fourteen_quiet_days_confirm_the_step(alias_done, member):
    assert overview([alias_done], UTC)[0].proofs == {}  # ten days: not yet
    StepMark.objects.filter(account=alias_done, step="alias").update(at=now() - timedelta(days=15))
    Finding.objects.update(arrived_at=now() - timedelta(days=16))
    alias_done.refresh_from_db()
    alias_done.last_code_at = now() - timedelta(days=16)
    (view,) = overview([alias_done], UTC)
    assert view.proofs["alias"].kind == "confirmed"
    assert view.proofs["alias"].words.startswith("confirmed: no codes since ")
    for step in checklist.steps_for(alias_done):
        if step.key != "alias":
            StepMark.objects.create(account=alias_done, step=step.key, state="done", actor=member)
    (view,) = overview([alias_done], UTC, now=now() + timedelta(seconds=1))
    assert view.state_text == "secured: confirmed by 14 quiet days"


def test_no_codes_before_the_step_confirm_nothing(member):
    never_quiet(member)
    notice = arrive(member, now() - timedelta(days=30), PASSWORD_CHANGED)
    account = notice.account_link.account
    StepMark.objects.create(account=account, step="alias", state="done", actor=member, at=now() - timedelta(days=20))
    account.refresh_from_db()
    assert account.last_code_at is None
    assert "alias" not in overview([account], UTC)[0].proofs


def test_microsofts_password_notice_marks_the_step_done_by_evidence(member, client):
    never_quiet(member)
    notice = arrive(member, now() - timedelta(hours=1), PASSWORD_CHANGED)
    account = notice.account_link.account
    mark = checklist.states([account])[account.pk]["password"]
    assert (mark.state, mark.evidence, mark.finding_id, mark.actor_id) == ("done", "notice", notice.pk, None)
    assert mark.reason.startswith("Microsoft's notice of ") and mark.reason.endswith(": the password was changed")
    page = sign_in(client, member).get(reverse("account_detail", args=[account.code])).content.decode()
    assert "Done by Microsoft's notice:</strong> Microsoft&#x27;s notice of" in page


def test_not_me_on_a_security_info_notice_undoes_the_step_and_makes_it_critical(member, client):
    never_quiet(member)
    notice = arrive(member, now() - timedelta(hours=1), LUCIA_INFO_ADDED)
    account = notice.account_link.account
    assert checklist.states([account])[account.pk]["security_info"].evidence == "notice"
    sign_in(client, member)
    codes = client.get(reverse("codes"), {"kind": "ms_alert"}).content.decode()
    assert f'action="{reverse("code_answer", args=[notice.code])}"' in codes  # a change notice is answered
    client.post(reverse("code_answer", args=[notice.code]), {"status": "unsolicited"})
    mark = checklist.states([account])[account.pk]["security_info"]
    assert (mark.state, mark.evidence) == ("to_do", "contradicted")
    assert mark.reason.startswith("Alice said it was not them: security info was added on ")
    assert Incident.objects.get(account=account).severity == Severity.CRITICAL
    notice.refresh_from_db()
    assert notice.status == "unsolicited"


def test_that_was_me_on_a_notice_keeps_the_step_done(member, client):
    never_quiet(member)
    notice = arrive(member, now() - timedelta(hours=1), LUCIA_INFO_ADDED)
    account = notice.account_link.account
    sign_in(client, member).post(reverse("code_answer", args=[notice.code]), {"status": "expected"})
    assert checklist.states([account])[account.pk]["security_info"].state == "done"
    assert Finding.objects.get(pk=notice.pk).status == "expected"


def test_other_notices_are_still_not_answerable(member, client):
    from tests.findings import UNUSUAL_SIGNIN

    never_quiet(member)
    notice = arrive(member, now() - timedelta(hours=1), UNUSUAL_SIGNIN)
    response = sign_in(client, member).post(reverse("code_answer", args=[notice.code]), {"status": "unsolicited"})
    assert response.status_code == 404


def test_the_matrix_marks_contradicted_and_confirmed_apart(alias_done, member, client):
    arrive(member, now() - timedelta(minutes=5))
    page = sign_in(client, member).get(reverse("me")).content.decode()
    assert '<td class="step-contradicted" data-step="alias"' in page and "✗" in page
    assert "marked done, but codes keep coming" in page


def test_single_use_fixture_is_a_code():
    from detect import detect

    assert detect(SINGLE_USE.read_bytes()).category == "ms_code"


def test_the_admin_digest_lists_contradicted_steps_first(alias_done, member, household):
    from notify import digests
    from tests.people import join

    admin = join(household, "carol", "admin")
    arrive(member, now() - timedelta(minutes=5))
    p = digests.period(admin.member, "weekly", now())
    digest = digests.build(admin.member, p)
    (row,) = digest.household["contradicted"]
    assert row[:2] == ("Alice", "anna.weber@example.com")
    assert row[3].startswith("codes still arrive for anna.weber@example.com")
    from notify.alerts import preference_of

    _, text, html, _ = digests.rendered(digest, preference_of(admin.member))
    household_part = text[text.index("The household") :]
    assert household_part.index("Marked done, but what arrived says otherwise:") < household_part.index(
        "Codes per person"
    )
