"""Each account in words: its state, its next step and its open incident, most urgent first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import OuterRef, Subquery
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from incidents.models import Incident

from . import checklist, evidence
from .models import Account, StepMark

# Why a column is empty in a row: the account's kind (or its mail) has no such step.
NOT_A_STEP = {
    "apps": gettext_lazy("no app was reported connected"),
    "it_admin": gettext_lazy("only for a work or school account"),
}


@dataclass
class AccountView:
    account: Account
    current: dict[str, StepMark | None]
    state: str  # attack, secured, quiet
    state_text: str
    next_step: checklist.Step | None
    open_incident: Incident | None
    # The matrix's columns this row is shown under (remediation picks those its rows have).
    columns: tuple[checklist.Column, ...] = field(default=checklist.COLUMNS)
    # What the mail says about each step, beside the marks (msaccounts.evidence).
    proofs: dict[str, evidence.Proof] = field(default_factory=dict)

    @property
    def steps(self) -> tuple[checklist.Step, ...]:
        return checklist.steps_for(self.account)

    @property
    def cells(self) -> list[tuple[str, checklist.Step | None, str, str]]:
        """(key, step, state, the state in words) per column; step None, state "none": the account's
        kind has no such step."""
        mine = {step.key: step for step in self.steps}
        found = []
        for column in self.columns:
            step = mine.get(column.key)
            if step is None:
                found.append(
                    (
                        column.key,
                        None,
                        "none",
                        (NOT_A_STEP[column.key] if column.key in NOT_A_STEP else _("not for a work or school account")),
                    )
                )
            elif column.key in self.proofs:  # confirmed, contradicted or done by Microsoft's notice
                proof = self.proofs[column.key]
                found.append((column.key, step, proof.kind, proof.words))
            else:
                state = checklist.state_of(self.current.get(column.key))
                found.append((column.key, step, state, StepMark.State(state).label))
        return found

    @property
    def progress(self) -> dict:
        return checklist.summary(self.account, self.current)

    def urgency(self) -> tuple:
        severity = self.open_incident.severity if self.open_incident else 0
        last = self.account.last_seen_at or self.account.created_at
        return (self.state == "attack", severity, self.next_step is not None, last)


def proofs_of(account: Account, current: dict, zone, now: datetime) -> dict[str, evidence.Proof]:
    found = {}
    for step in checklist.steps_for(account):
        proof = evidence.proof(account, step.key, current.get(step.key), zone, now)
        if proof:
            found[step.key] = proof
    return found


def describe(account: Account, current: dict, zone, now: datetime, proofs: dict | None = None) -> tuple[str, str]:
    """(state, words): marked done but contradicted / under attack now / secured on DATE (confirmed by
    the quiet after it) / quiet since DATE."""
    proofs = proofs or {}
    if any(p.kind == "contradicted" for p in proofs.values()):
        return "attack", _("marked done, but codes keep coming")
    if account.under_attack(now):
        return "attack", _("under attack now")
    done = checklist.completed_at(account, current)
    if done and (account.last_seen_at is None or done >= account.last_seen_at):
        if any(p.kind == "confirmed" for p in proofs.values()):
            days = evidence.QUIET.days
            return "secured", ngettext(
                "secured: confirmed by %(days)d quiet day", "secured: confirmed by %(days)d quiet days", days
            ) % {"days": days}
        return "secured", _("secured on %(day)s") % {"day": dateformat.format(done.astimezone(zone), "d M Y")}
    if account.last_seen_at is None:
        return "quiet", _("nothing seen yet")
    return "quiet", _("quiet since %(day)s") % {
        "day": dateformat.format(account.last_seen_at.astimezone(zone), "d M Y")
    }


def overview(accounts: list[Account], zone, now: datetime | None = None) -> list[AccountView]:
    """The accounts as views, most urgent first, in two queries however many there are."""
    now = now or timezone.now()
    current = checklist.states(accounts)
    # Each account's most urgent open incident: picked by the database, so only those rows come back.
    top = (
        Incident.objects.filter(account=OuterRef("pk"), kind=Incident.Kind.ACCOUNT)
        .unresolved()
        .order_by("-severity", "-last_seen_at", "-id")
        .values("pk")[:1]
    )
    chosen = Account.objects.filter(pk__in=[a.pk for a in accounts]).annotate(top=Subquery(top)).values("top")
    picked = Incident.objects.filter(pk__in=chosen).select_related("member", "account")
    open_incidents = {incident.account_id: incident for incident in picked}
    views = []
    for account in accounts:
        proofs = proofs_of(account, current[account.pk], zone, now)
        state, words = describe(account, current[account.pk], zone, now, proofs)
        views.append(
            AccountView(
                account=account,
                current=current[account.pk],
                state=state,
                state_text=words,
                next_step=checklist.next_step(account, current[account.pk]),
                open_incident=open_incidents.get(account.pk),
                proofs=proofs,
            )
        )
    return sorted(views, key=AccountView.urgency, reverse=True)
