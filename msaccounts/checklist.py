"""The remediation checklist: seven steps per Microsoft account, their history, and which steps a
new wave or a breach makes stale again."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Member
from incidents import audit
from otpdash.events import household_changed

from .models import Account, StepMark

State = StepMark.State


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    url: str
    why: str
    done_label: str = "Done"


STEPS = (
    Step(
        "no_codes",
        "Never enter or read out a code you did not ask for",
        "https://support.microsoft.com/windows/protect-yourself-from-phishing-0c7ea947-ba98-3bd9-7184-430e1f860a44",
        "The codes are real: whoever types one in is signed in to your account. Callers, chats and pages that ask "
        "for it are the attacker, even when the mail itself came from Microsoft.",
        done_label="I understand",
    ),
    Step(
        "password",
        "Change the password, and everywhere else it was used",
        "https://account.live.com/password/Change",
        "Your address came from a leaked list, often with a password beside it; a security or reset code means "
        "someone may already have it. Every site where that password was reused is open the same way.",
    ),
    Step(
        "two_step",
        "Turn on two-step verification (or the Microsoft Authenticator app)",
        "https://account.live.com/proofs/manage/additional",
        "With two-step verification a stolen password alone no longer opens the account. The Authenticator app "
        "also shows you each sign-in attempt instead of mailing codes.",
    ),
    Step(
        "activity",
        "Review recent activity, and sign out everywhere if anything is unknown",
        "https://account.live.com/Activity",
        "The activity page lists every sign-in with its place and device: it tells you whether an attempt got "
        "through. Signing out everywhere ends any session the attacker already has.",
    ),
    Step(
        "security_info",
        "Check the security info (recovery email and phone) is yours",
        "https://account.live.com/proofs/manage",
        "An attacker who gets in adds their own recovery address or phone to lock you out later. Only your own "
        "should be listed there.",
    ),
    Step(
        "alias",
        "Add a private sign-in alias and stop the exposed address being used to sign in",
        "https://account.live.com/names/manage",
        "The address on the attacker's list is what they type to ask for codes. Signing in with a private alias "
        "only, and turning off sign-in with the exposed one, makes the list useless.",
    ),
    Step(
        "passwordless",
        "Go passwordless",
        "https://account.live.com/proofs/manage/additional",
        "An account without a password has none to steal or guess: sign-in needs your phone or security key. "
        "Password-spraying and credential-stuffing against it then fail.",
    ),
)
STEP_KEYS = tuple(step.key for step in STEPS)
BY_KEY = {step.key: step for step in STEPS}

# Codes that mean someone may hold the password (facts: security code, reset): the password is stale.
PASSWORD_STALE = {"msa_security_code", "msa_security_code_personal", "msa_password_reset"}
# Alerts that the security info changed: the security info is stale.
SECURITY_INFO_STALE = {"msa_security_info_added", "msa_security_info_verification"}


def states(accounts: list[Account]) -> dict[int, dict[str, StepMark | None]]:
    """Each account's newest mark per step (None: never marked, so to do), in one query."""
    current: dict[int, dict[str, StepMark | None]] = {a.pk: dict.fromkeys(STEP_KEYS) for a in accounts}
    rows = StepMark.objects.filter(account__in=[a.pk for a in accounts]).order_by("at", "id")
    for mark in rows:
        current[mark.account_id][mark.step] = mark
    return current


def state_of(mark: StepMark | None) -> str:
    return mark.state if mark else State.TO_DO


def next_step(current: dict[str, StepMark | None]) -> Step | None:
    """The first step still to do, in the checklist's order."""
    for step in STEPS:
        if state_of(current.get(step.key)) == State.TO_DO:
            return step
    return None


def history(account: Account) -> dict[str, list[StepMark]]:
    marks = defaultdict(list)
    for mark in account.marks.order_by("at", "id"):
        marks[mark.step].append(mark)
    return marks


def may_mark(viewer: Member, account: Account) -> bool:
    """A member completes their own steps; an admin may mark them on the member's behalf."""
    same_household = viewer.household_id == account.member.household_id
    return same_household and (viewer.pk == account.member_id or viewer.is_admin)


@transaction.atomic
def mark(account: Account, step: str, state: str, viewer: Member) -> StepMark | None:
    """Record a step's new state; marking it as it already is records nothing."""
    if step not in BY_KEY:
        raise ValidationError("There is no such step.")
    if state not in State.values:
        raise ValidationError("Choose to do, done or not applicable.")
    if not may_mark(viewer, account):
        raise ValidationError("Only the member or an admin of the household can mark this step.")
    Account.objects.select_for_update().filter(pk=account.pk).first()  # two clicks at once: one mark
    if state_of(states([account])[account.pk][step]) == state:
        return None
    made = StepMark.objects.create(
        account=account,
        step=step,
        state=state,
        actor=viewer.user,
        actor_name=viewer.display_name,
        on_behalf=viewer.pk != account.member_id,
    )
    behalf = f" for {account.member.display_name}" if made.on_behalf else ""
    summary = f"{account.address}: “{BY_KEY[step].title}” marked {made.get_state_display()}{behalf}"
    audit.record(viewer.household_id, viewer.user, "checklist.marked", summary)
    household_changed.send(sender=StepMark, household_id=viewer.household_id)
    return made


def reopen(account: Account, steps: dict[str, str], since: datetime) -> list[StepMark]:
    """Set each step in `steps` (key -> reason) back to do, when it was done before `since`: what a
    member did before a new wave or breach cannot have answered it."""
    current = states([account])[account.pk]
    marks = []
    for key, reason in steps.items():
        last = current[key]
        if last is not None and last.state == State.DONE and last.at < since:
            marks.append(StepMark(account=account, step=key, state=State.TO_DO, reason=reason[:300]))
    StepMark.objects.bulk_create(marks)
    return marks


def stale_steps(templates: set[str], wave_start: datetime, zone) -> dict[str, str]:
    """Which steps a wave makes stale, with the reason shown beside each."""
    when = wave_start.astimezone(zone).strftime("%d %b %Y")
    steps = {"activity": f"a new wave of codes or alerts started on {when}: check the sign-ins again"}
    if templates & PASSWORD_STALE:
        steps["password"] = f"security or password-reset codes came in the wave of {when}"
    if templates & SECURITY_INFO_STALE:
        steps["security_info"] = f"Microsoft said the security info changed in the wave of {when}"
    return steps


def summary(current: dict[str, StepMark | None]) -> dict:
    done = sum(1 for key in STEP_KEYS if state_of(current[key]) != State.TO_DO)
    return {"done": done, "total": len(STEP_KEYS), "complete": done == len(STEP_KEYS)}


def completed_at(current: dict[str, StepMark | None]) -> datetime | None:
    """When the last step was settled, if every step is done or not applicable."""
    if not summary(current)["complete"]:
        return None
    return max(mark.at for mark in current.values() if mark)
