"""The remediation checklist: marks with a history never overwritten, who may mark, and which steps a
new wave reopens (activity always; the password after security or reset codes; the security info
after an info-changed alert; apps after each new app). Six steps for a personal account: "never enter
a code" is said once per person (tests/test_never_enter.py)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from msaccounts import checklist
from msaccounts.models import Account, StepMark
from msaccounts.overview import overview
from tests.accounts_data import LUCIA_CODE, LUCIA_INFO_ADDED, NIGHT, PETER_CODE
from tests.corpus_labels import CORPUS
from tests.findings import arrive
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db
DONE, TO_DO = StepMark.State.DONE, StepMark.State.TO_DO
UTC = ZoneInfo("UTC")
NEW_APP = CORPUS / "ms_security" / "en_new_app_connected_sam.eml"  # sa**r@example.net, to sam.taylor@


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


def test_security_codes_reopen_the_password_and_an_info_notice_stands_for_the_security_info(member):
    arrive(member, NIGHT, mail=LUCIA_CODE)
    account = Account.objects.get()
    _all_done(account, member, NIGHT + timedelta(hours=1))
    second_wave = NIGHT + timedelta(days=5)
    arrive(member, second_wave, mail=LUCIA_CODE)
    assert _current(account)["password"] == TO_DO and _current(account)["security_info"] == DONE
    # Microsoft's "security info was added" is the newer evidence: the step is done by that notice
    # (issue 25), and its person's "not me" undoes it (tests/test_step_evidence.py).
    notice = arrive(member, second_wave + timedelta(hours=2), mail=LUCIA_INFO_ADDED)
    assert _current(account)["security_info"] == DONE
    assert account.marks.filter(step="security_info").latest("at", "id").finding == notice


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


def test_a_personal_account_has_six_steps_and_never_enter_a_code_is_none_of_them(member):
    arrive(member, NIGHT, mail=PETER_CODE)
    account = Account.objects.get()
    (view,) = overview([account], UTC)
    assert [step.key for step in view.steps] == ["password", "two_step", "activity", "security_info", "alias",
                                                 "passwordless"]  # fmt: skip
    assert view.progress == {"done": 0, "total": 6, "complete": False}
    with pytest.raises(ValidationError, match="no such step"):
        checklist.mark(account, "no_codes", DONE, member.member)
    # A mark the old seven-step checklist left behind is kept, and counted nowhere.
    StepMark.objects.create(account=account, step="no_codes", state=DONE, actor=member, actor_name="Alice")
    _all_done(account, member, NIGHT + timedelta(hours=1))
    (view,) = overview([account], UTC)
    assert view.progress == {"done": 6, "total": 6, "complete": True}
    assert "no_codes" not in view.current and account.marks.filter(step="no_codes").exists()


def test_the_alias_step_says_how_in_microsofts_words(client, member):
    arrive(member, NIGHT, mail=PETER_CODE)
    sign_in(client, member)
    page = client.get(reverse("account_detail", args=[Account.objects.get().code])).content.decode()
    for words in ("Your info", "Edit account info", "Manage how you sign in to Microsoft", "Add email",
                  "Make primary", "Change sign-in preferences", "untick the exposed address"):  # fmt: skip
        assert words in page, words


def test_a_new_app_puts_apps_first_and_each_later_app_reopens_it(client, member):
    arrive(member, NIGHT, mail=NEW_APP)
    account = Account.objects.get()
    first = checklist.steps_for(account)[0]
    assert (first.key, first.url) == ("apps", "https://account.live.com/consent/Manage")
    assert checklist.next_step_of(account) == first  # the incident's "what to do now" is the app
    (view,) = overview([account], UTC)
    assert view.progress["total"] == 7
    sign_in(client, member)
    incident = account.incidents.get()
    page = client.get(reverse("incident_detail", args=[incident.code])).content.decode()
    assert "What to do now:</strong> Remove apps you did not give access to your account" in page
    assert "Never enter" not in page.split("<h2>Timeline</h2>")[0]

    StepMark.objects.create(account=account, step="apps", state=DONE, actor=member, at=NIGHT + timedelta(hours=1))
    StepMark.objects.create(account=account, step="activity", state=DONE, actor=member, at=NIGHT + timedelta(hours=1))
    arrive(member, NIGHT + timedelta(hours=2), mail=NEW_APP)  # the same wave, but another app since the check
    current = _current(account)
    assert current["apps"] == TO_DO and current["activity"] == DONE  # activity: done within this wave
    reopened = account.marks.filter(step="apps").last()
    assert reopened.who == "OTP Dash" and reopened.reason == "Microsoft said a new app was connected on 20 Nov 2026"


def test_the_accounts_and_me_pages_count_n_of_6(client, member):
    arrive(member, NIGHT, mail=PETER_CODE)
    sign_in(client, member)
    assert "0 of 6" in client.get(reverse("account_list")).content.decode()
    me = client.get(reverse("me")).content.decode()
    assert "0 of 6 steps settled" in me and "{#" not in me  # a template comment shown as text
