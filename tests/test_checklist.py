"""The remediation checklist: marks with a history never overwritten, who may mark, and which steps a
new wave reopens (activity always; the password after security or reset codes; the security info
after an info-changed alert)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from msaccounts import checklist
from msaccounts.models import Account, StepMark
from tests.accounts_data import LUCIA_CODE, LUCIA_INFO_ADDED, NIGHT, PETER_CODE
from tests.findings import arrive
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db
DONE, TO_DO = StepMark.State.DONE, StepMark.State.TO_DO


def _current(account) -> dict[str, str]:
    return {key: checklist.state_of(mark) for key, mark in checklist.states([account])[account.pk].items()}


def _all_done(account, member, at):
    for key in checklist.STEP_KEYS:
        StepMark.objects.create(account=account, step=key, state=DONE, actor=member, actor_name="Alice", at=at)


def test_marks_keep_their_history_and_a_repeat_records_nothing(member):
    arrive(member, NIGHT, mail=PETER_CODE)
    account = Account.objects.get()
    profile = member.member
    assert checklist.mark(account, "password", DONE, profile) is not None
    assert checklist.mark(account, "password", DONE, profile) is None  # a double click
    checklist.mark(account, "password", TO_DO, profile)
    checklist.mark(account, "password", DONE, profile)
    assert list(account.marks.filter(step="password").values_list("state", flat=True)) == [DONE, TO_DO, DONE]
    assert _current(account)["password"] == DONE
    with pytest.raises(ValidationError):
        checklist.mark(account, "no_such_step", DONE, profile)
    with pytest.raises(ValidationError):
        checklist.mark(account, "password", "finished", profile)


def test_an_admin_marks_on_the_members_behalf_and_another_member_cannot(member, other_member, household):
    arrive(member, NIGHT, mail=PETER_CODE)
    account = Account.objects.get()
    owner = join(household, "olivia", "owner")
    made = checklist.mark(account, "two_step", DONE, owner.member)
    assert made.on_behalf and made.who == "Olivia (on the member's behalf)"
    with pytest.raises(ValidationError):
        checklist.mark(account, "activity", DONE, other_member.member)
    assert not account.marks.filter(step="activity").exists()


def test_a_new_wave_reopens_activity_but_not_the_password_after_single_use_codes(member):
    arrive(member, NIGHT, mail=PETER_CODE)
    account = Account.objects.get()
    _all_done(account, member, NIGHT + timedelta(hours=1))
    arrive(member, NIGHT + timedelta(days=3), mail=PETER_CODE)  # a new wave: three quiet days later
    current = _current(account)
    assert current["activity"] == TO_DO and current["password"] == DONE
    reopened = account.marks.get(step="activity", state=TO_DO)
    assert reopened.who == "OTP Dash" and reopened.reason.startswith(
        "a new wave of codes or alerts started on 23 Nov 2026"
    )


def test_security_codes_reopen_the_password_and_an_info_alert_the_security_info(member):
    arrive(member, NIGHT, mail=LUCIA_CODE)
    account = Account.objects.get()
    _all_done(account, member, NIGHT + timedelta(hours=1))
    second_wave = NIGHT + timedelta(days=5)
    arrive(member, second_wave, mail=LUCIA_CODE)
    assert _current(account)["password"] == TO_DO and _current(account)["security_info"] == DONE
    arrive(member, second_wave + timedelta(hours=2), mail=LUCIA_INFO_ADDED)
    assert _current(account)["security_info"] == TO_DO


def test_a_step_marked_during_a_wave_is_not_reopened_by_that_waves_next_code(member):
    arrive(member, NIGHT, mail=LUCIA_CODE)
    account = Account.objects.get()
    StepMark.objects.create(account=account, step="password", state=DONE, at=NIGHT + timedelta(hours=1))
    arrive(member, NIGHT + timedelta(hours=2), mail=LUCIA_CODE)  # the same wave
    assert _current(account)["password"] == DONE


def test_the_account_page_marks_a_step_and_shows_who(client, member):
    arrive(member, NIGHT, mail=PETER_CODE)
    account = Account.objects.get()
    sign_in(client, member)
    url = reverse("account_step", args=[account.code])
    response = client.post(url, {"step": "two_step", "state": "done"})
    assert response.url.endswith("#step-two_step")
    page = client.get(reverse("account_detail", args=[account.code])).content.decode()
    assert "Marked done by Alice" in page and "https://account.live.com/proofs/manage/additional" in page
    bad = client.post(url, {"step": "two_step", "state": "maybe"}, follow=True).content.decode()
    assert "Choose to do, done or not applicable" in bad
