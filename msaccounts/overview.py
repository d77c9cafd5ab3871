"""Each account in words: its state, its next step and its open incident, most urgent first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from incidents.models import Incident

from . import checklist
from .models import Account, StepMark


@dataclass
class AccountView:
    account: Account
    current: dict[str, StepMark | None]
    state: str  # attack, secured, quiet
    state_text: str
    next_step: checklist.Step | None
    open_incident: Incident | None

    @property
    def cells(self) -> list[tuple[checklist.Step, str, str]]:
        """(step, state, the state in words) per step, in the checklist's order."""
        states = [(step, checklist.state_of(self.current[step.key])) for step in checklist.STEPS]
        return [(step, state, StepMark.State(state).label) for step, state in states]

    @property
    def progress(self) -> dict:
        return checklist.summary(self.current)

    def urgency(self) -> tuple:
        severity = self.open_incident.severity if self.open_incident else 0
        last = self.account.last_seen_at or self.account.created_at
        return (self.state == "attack", severity, self.next_step is not None, last)


def describe(account: Account, current: dict, zone, now: datetime) -> tuple[str, str]:
    """(state, words): under attack now / secured on DATE / quiet since DATE."""
    if account.under_attack(now):
        return "attack", "under attack now"
    done = checklist.completed_at(current)
    if done and (account.last_seen_at is None or done >= account.last_seen_at):
        return "secured", f"secured on {done.astimezone(zone):%d %b %Y}"
    if account.last_seen_at is None:
        return "quiet", "nothing seen yet"
    return "quiet", f"quiet since {account.last_seen_at.astimezone(zone):%d %b %Y}"


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
        state, words = describe(account, current[account.pk], zone, now)
        views.append(
            AccountView(
                account=account,
                current=current[account.pk],
                state=state,
                state_text=words,
                next_step=checklist.next_step(current[account.pk]),
                open_incident=open_incidents.get(account.pk),
            )
        )
    return sorted(views, key=AccountView.urgency, reverse=True)
