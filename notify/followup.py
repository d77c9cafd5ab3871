"""Alerts that follow a wave until someone acts: a daily "still happening" reminder to its person,
and one escalation to the household's admins when a serious incident sits untouched. Run every
few minutes by the scheduler; each alert is a row whose event key makes it exactly once, whichever
worker or cluster gets there first."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Member
from incidents.models import Incident, Severity
from msaccounts import checklist
from msaccounts.models import WAVE_GAP, StepMark
from scanner.models import Finding

from . import webhook_events
from .alerts import queue_send
from .models import Alert, EscalationSetting, Snooze

# One reminder per incident and person per day at most, and never sooner than this after the last alert.
REMINDER_GAP = timedelta(hours=24)


def follow_up(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    made = {"reminders": reminders(now), "escalations": escalations(now)}
    if any(made.values()):
        transaction.on_commit(queue_send)
    return made


def snoozed_until(member: Member, account_id: int | None, now: datetime) -> datetime | None:
    return Snooze.objects.until(member, account_id, now)


def codes_since(incident: Incident, since: datetime):
    """The account's Microsoft codes that arrived after `since`, in the incident or not: what "N more
    codes" counts."""
    mine = Q(account_link__account_id=incident.account_id) | Q(pk__in=incident.findings.values("pk"))
    return Finding.objects.codes().filter(mine, owner_id=incident.member.user_id, arrived_at__gt=since)


def reminders(now: datetime) -> int:
    """While an account's wave goes on, nobody has said "I'm on it" and steps are open: "still
    happening: N more codes since your alert", in the person's waking hours."""
    made = 0
    # The wave goes on while codes come for the account, whether or not each joined the incident (a code
    # in waking hours asks its person instead of joining).
    recent = Q(last_seen_at__gte=now - WAVE_GAP) | Q(account__last_code_at__gte=now - WAVE_GAP)
    waves = Incident.objects.filter(
        recent, kind=Incident.Kind.ACCOUNT, state=Incident.State.OPEN, member__isnull=False, account__isnull=False
    ).select_related("member", "account")
    for incident in waves:
        member = incident.member
        if member.in_quiet_hours(now) or snoozed_until(member, incident.account_id, now):
            continue  # the next run after quiet hours (or the snooze) looks again
        last = (
            Alert.objects.filter(
                member=member, incident=incident, state=Alert.State.SENT, sent_at__isnull=False, channel__isnull=True
            )
            .exclude(outcome__startswith="not sent")
            .order_by("-sent_at")
            .first()
        )
        if last is None or now - last.sent_at < REMINDER_GAP:
            continue
        if not codes_since(incident, last.sent_at).exists():
            continue
        if checklist.next_step_of(incident.account) is None:
            continue
        day = now.astimezone(member.zone).date().isoformat()
        made += _claim(member, f"reminder:{incident.pk}:{day}", incident, now)
    return made


def escalations(now: datetime) -> int:
    """A high or critical incident nobody took and no step was marked on within the household's
    time: its admins are told, once each."""
    made = 0
    marked = StepMark.objects.filter(
        account_id=OuterRef("account_id"), at__gte=OuterRef("opened_at"), actor__isnull=False
    )
    waiting = (
        Incident.objects.filter(state=Incident.State.OPEN, severity__gte=Severity.HIGH)
        .filter(opened_at__lte=now - timedelta(hours=1))  # the shortest setting: the rest is checked below
        .exclude(Exists(marked))
        .select_related("member", "account", "household")
    )
    hours = dict(EscalationSetting.objects.values_list("household_id", "after_hours"))
    for incident in waiting:
        after = timedelta(hours=hours.get(incident.household_id, EscalationSetting.DEFAULT_HOURS))
        if now - incident.opened_at < after:
            continue
        for admin in Member.objects.filter(
            household_id=incident.household_id, role__in=(Member.Role.OWNER, Member.Role.ADMIN)
        ):
            made += _claim(admin, f"escalation:{incident.pk}", incident, now)
    return made


def _claim(member: Member, event: str, incident: Incident, now: datetime) -> bool:
    """The alert row for event, made once whoever gets there first; its webhooks go with the one
    that made it."""
    _, created = Alert.objects.get_or_create(
        member=member, event=event, defaults={"incident": incident, "severity": incident.severity, "due_at": now}
    )
    if created:
        webhook_events.fan_out(member, event, incident.severity, incident=incident)
    return created
