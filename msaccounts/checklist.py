"""The remediation checklist: the steps of each Microsoft account (chosen by its kind, see steps.py),
their history, which steps a new wave or a breach makes stale again, and the one acknowledgement per
person that is no step at all: never enter a code you did not ask for."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Member
from incidents import audit
from otpdash.events import household_changed

from .models import APPS_NOTICES, Account, StepMark
from .steps import (
    ALL_KEYS,
    COLUMNS,
    NEVER_ENTER,
    PERSONAL_APPS,
    PERSONAL_STEPS,
    WORK_APPS,
    WORK_STEPS,
    Column,
    Step,
)

__all__ = ["ALL_KEYS", "COLUMNS", "NEVER_ENTER", "STEPS", "STEP_KEYS", "Column", "Step"]

State = StepMark.State

# A personal account's steps (and an unknown kind's: Microsoft's code mails are the personal account's).
STEPS = PERSONAL_STEPS
STEP_KEYS = tuple(step.key for step in STEPS)


def steps_for(account: Account) -> tuple[Step, ...]:
    """The account's steps: Entra's own pages for a work or school account, account.live.com for the
    others; apps with access first once Microsoft said an app was connected (that app reads the mail now)."""
    work = account.is_work_or_school
    steps = WORK_STEPS if work else PERSONAL_STEPS
    if account.apps_notice_at:
        steps = (WORK_APPS if work else PERSONAL_APPS, *steps)
    return steps


# Codes that mean someone may hold the password (facts: security code, reset): the password is stale.
PASSWORD_STALE = {"msa_security_code", "msa_security_code_personal", "msa_password_reset"}
# Alerts that the security info changed: the security info is stale. ("Security info added" itself
# marks the step done by Microsoft's notice instead, and "not me" undoes it: msaccounts.evidence.)
SECURITY_INFO_STALE = {"msa_security_info_verification"}


def states(accounts: list[Account]) -> dict[int, dict[str, StepMark | None]]:
    """Each account's newest mark per step of any kind (None: never marked, so to do), in one query.
    Marks of a step no kind has (the retired per-account "no_codes") stay stored and are left out."""
    current: dict[int, dict[str, StepMark | None]] = {a.pk: dict.fromkeys(ALL_KEYS) for a in accounts}
    rows = StepMark.objects.filter(account__in=[a.pk for a in accounts], step__in=ALL_KEYS).order_by("at", "id")
    for mark in rows:
        current[mark.account_id][mark.step] = mark
    return current


def state_of(mark: StepMark | None) -> str:
    return mark.state if mark else State.TO_DO


def next_step(account: Account, current: dict[str, StepMark | None]) -> Step | None:
    """The first of the account's steps still to do, in the checklist's order."""
    for step in steps_for(account):
        if state_of(current.get(step.key)) == State.TO_DO:
            return step
    return None


def next_step_of(account: Account) -> Step | None:
    """The next step of one account, marks read here (an incident's or an alert's "what to do now")."""
    return next_step(account, states([account])[account.pk])


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
    by_key = {s.key: s for s in steps_for(account)}
    if step not in by_key:
        raise ValidationError(_("This account's checklist has no such step: reload the page and try again."))
    if state not in State.values:
        raise ValidationError(_("Choose to do, done or not applicable."))
    if not may_mark(viewer, account):
        raise ValidationError(_("Only the member or an admin of the household can mark this step."))
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
    summary = f"{account.address}: “{by_key[step].title}” marked {made.get_state_display()}{behalf}"
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


def reopen_stale(account: Account, templates: set[str], wave_start: datetime, zone, apps_at=None) -> list[StepMark]:
    """Reopen what a wave makes stale (done before the wave began), and the apps step when it was done
    before the newest "new app connected" notice (apps_at): that app came after the last check, even
    within the same wave."""
    made = reopen(account, stale_steps(templates, wave_start, zone), since=wave_start)
    if apps_at is not None and templates & APPS_NOTICES:
        when = apps_at.astimezone(zone).strftime("%d %b %Y")
        made += reopen(account, {"apps": f"Microsoft said a new app was connected on {when}"}, since=apps_at)
    return made


def stale_steps(templates: set[str], wave_start: datetime, zone) -> dict[str, str]:
    """Which steps a wave makes stale, with the reason shown beside each."""
    when = wave_start.astimezone(zone).strftime("%d %b %Y")
    steps = {"activity": f"a new wave of codes or alerts started on {when}: check the sign-ins again"}
    if templates & PASSWORD_STALE:
        steps["password"] = f"security or password-reset codes came in the wave of {when}"
    if templates & SECURITY_INFO_STALE:
        steps["security_info"] = f"Microsoft said the security info changed in the wave of {when}"
    return steps


def summary(account: Account, current: dict[str, StepMark | None]) -> dict:
    """Settled (done or not applicable) of the account's own steps: "n of 6" for a personal account."""
    keys = [step.key for step in steps_for(account)]
    done = sum(1 for key in keys if state_of(current.get(key)) != State.TO_DO)
    return {"done": done, "total": len(keys), "complete": done == len(keys)}


def completed_at(account: Account, current: dict[str, StepMark | None]) -> datetime | None:
    """When the last of the account's steps was settled, if every one is done or not applicable."""
    if not summary(account, current)["complete"]:
        return None
    keys = {step.key for step in steps_for(account)}
    return max(mark.at for key, mark in current.items() if mark and key in keys)


def may_acknowledge(viewer: Member, person: Member) -> bool:
    """The person themself, or an admin of the household who told them (as with the steps)."""
    return viewer.household_id == person.household_id and (viewer.pk == person.pk or viewer.is_admin)


@transaction.atomic
def acknowledge_codes(person: Member, viewer: Member) -> bool:
    """The person knows never to enter a code they did not ask for: said once for all their accounts.
    Claimed with a conditional update, so a double click or two tabs record it once. False: it was
    already acknowledged."""
    if not may_acknowledge(viewer, person):
        raise ValidationError(_("Only the person or an admin of the household can acknowledge this for them."))
    now = timezone.now()
    if not Member.objects.filter(pk=person.pk, codes_acknowledged_at__isnull=True).update(codes_acknowledged_at=now):
        return False
    person.codes_acknowledged_at = now
    behalf = f", on {person.display_name}'s behalf" if viewer.pk != person.pk else ""
    summary = f"{person.display_name}: “{NEVER_ENTER}” acknowledged{behalf}"
    audit.record(viewer.household_id, viewer.user, "codes.acknowledged", summary)
    household_changed.send(sender=Member, household_id=viewer.household_id)
    return True


KIND_CHOICES = {"personal": Account.Kind.PERSONAL, "work_or_school": Account.Kind.WORK_OR_SCHOOL, "auto": None}


@transaction.atomic
def set_kind(account: Account, choice: str, viewer: Member) -> bool:
    """The person says which kind the account is ("auto": let Microsoft's mail tell again). False when
    nothing changed. The marks stay: a step of the same key is the same job on the other kind's page."""
    if choice not in KIND_CHOICES:
        raise ValidationError(_("Choose a personal Microsoft account, a work or school account, or let OTP Dash tell."))
    if not may_mark(viewer, account):
        raise ValidationError(_("Only the member or an admin of the household can say which kind of account this is."))
    said = KIND_CHOICES[choice]
    kind = said or account.detected_kind()
    if (kind, said is not None) == (account.kind, account.kind_by_person):
        return False
    Account.objects.filter(pk=account.pk).update(kind=kind, kind_by_person=said is not None)
    account.kind, account.kind_by_person = kind, said is not None
    words = Account.Kind(kind).label
    how = "said on its page" if said else "told from Microsoft's mail again"
    audit.record(viewer.household_id, viewer.user, "account.kind", f"{account.address}: {words} ({how})")
    household_changed.send(sender=Account, household_id=viewer.household_id)
    return True
