"""What the mail says about a checklist step, beside the person's mark.

- Turning off sign-in with the exposed address (the alias step) makes asking for a code with it fail,
  so codes stop. A code that arrives after the step was marked done (past a grace for mail already in
  flight) contradicts it: the step reopens with the reason, once. Fourteen quiet days after the mark,
  where codes came before, confirm it.
- Microsoft's notice of a change (facts 4.2, 4.4: password changed, security info added) marks its
  step done, with the mail as the source. If the person says the change was not them, the step
  reopens and the incident is critical (incidents.triage).

Two-step and passwordless have no documented notice, so they rest on the person's mark alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from scanner.models import Finding

from .models import Account, StepMark
from .signals import step_contradicted

State, Evidence = StepMark.State, StepMark.Evidence
GRACE = timedelta(hours=1)
QUIET = timedelta(days=14)
# Which notice proves which step, in the step's words.
PROVEN_BY = {
    "msa_password_changed": ("password", "the password was changed"),
    "msa_security_info_added": ("security_info", "security info was added"),
}
STOPS_CODES = "alias"


@dataclass(frozen=True)
class Proof:
    """A step's evidence in words: confirmed, contradicted, or done by Microsoft's notice."""

    kind: str  # confirmed, contradicted, notice
    words: str


def _day(moment: datetime, zone) -> str:
    return moment.astimezone(zone).strftime("%d %b %Y")


@transaction.atomic
def on_finding(account: Account, finding: Finding, zone) -> StepMark | None:
    """A new (not history) code or notice of the account: the step it contradicts or proves, marked.
    The account row is locked, so two codes arriving at once reopen the step once."""
    from .checklist import states, steps_for

    Account.objects.select_for_update().filter(pk=account.pk).first()
    current = states([account])[account.pk]
    keys = {step.key for step in steps_for(account)}
    if finding.category == Finding.Category.MS_CODE and STOPS_CODES in keys:
        done = current[STOPS_CODES]
        if done and done.state == State.DONE and finding.arrived_at > done.at + GRACE:
            reason = (
                f"codes still arrive for {account.address} since you turned it off on {_day(done.at, zone)}: "
                "check Sign-in preferences"
            )
            made = StepMark.objects.create(
                account=account, step=STOPS_CODES, state=State.TO_DO, evidence=Evidence.CONTRADICTED,
                finding=finding, reason=reason[:300],
            )  # fmt: skip
            # In this transaction: the alert's row is written with the reopening or not at all.
            step_contradicted.send(sender=StepMark, account=account, mark=made, contradicted=done)
            return made
    if finding.category == Finding.Category.MS_ALERT and finding.template in PROVEN_BY:
        step, said = PROVEN_BY[finding.template]
        # Recorded even over an earlier "done": this mail is the newer and the better evidence.
        if step in keys and (current[step] is None or current[step].finding_id != finding.pk):
            return StepMark.objects.create(
                account=account, step=step, state=State.DONE, evidence=Evidence.NOTICE, finding=finding,
                reason=f"Microsoft's notice of {_day(finding.arrived_at, zone)}: {said}",
            )  # fmt: skip
    return None


def disowned(account: Account, finding: Finding, person_name: str, zone) -> StepMark | None:
    """The person said a change Microsoft reported was not them: its step is not done, whoever marked it."""
    if finding.template not in PROVEN_BY:
        return None
    step, said = PROVEN_BY[finding.template]
    reason = f"{person_name} said it was not them: {said} on {_day(finding.arrived_at, zone)}"
    return StepMark.objects.create(
        account=account, step=step, state=State.TO_DO, evidence=Evidence.CONTRADICTED, finding=finding,
        reason=reason[:300],
    )  # fmt: skip


def proof(account: Account, step: str, mark: StepMark | None, zone, now: datetime | None = None) -> Proof | None:
    """The evidence shown beside a step's state; None when there is only the person's word."""
    if mark is None:
        return None
    if mark.evidence == Evidence.CONTRADICTED and mark.state == State.TO_DO:
        return Proof("contradicted", mark.reason)
    if mark.evidence == Evidence.NOTICE and mark.state == State.DONE:
        return Proof("notice", mark.reason)
    if step == STOPS_CODES and mark.state == State.DONE:
        now = now or timezone.now()
        codes_before = account.last_code_at is not None and account.last_code_at <= mark.at + GRACE
        if codes_before and now - mark.at >= QUIET:
            return Proof(
                "confirmed",
                _("confirmed: no codes since %(day)s") % {"day": dateformat.format(mark.at.astimezone(zone), "d M Y")},
            )
    return None
