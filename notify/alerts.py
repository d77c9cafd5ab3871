"""Which events become alerts, for whom, and when they are due. Rows are written in the transaction
that changed the incident; sending is queued for after it commits (a task, never the scan itself)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Member
from incidents.models import Incident, Severity

from . import webhook_events
from .models import Alert, Preference


def recipients(incident: Incident) -> list[Member]:
    """The person whose incident it is (or, for a campaign, everyone it reached), if the severity is
    one they want; admins by their preference: every incident, high and critical only, or none."""
    household = list(Member.objects.filter(household_id=incident.household_id).select_related("preference"))
    if incident.member_id:
        concerned = {incident.member_id}
    else:
        reached = set(incident.findings.values_list("owner_id", flat=True))
        concerned = {m.pk for m in household if m.user_id in reached}
    chosen = []
    for member in household:
        pref = preference_of(member)
        own = member.pk in concerned and incident.severity >= pref.min_severity
        as_admin = member.is_admin and (
            pref.admin_alerts == Preference.AdminAlerts.ALL
            or (pref.admin_alerts == Preference.AdminAlerts.HIGH and incident.severity >= Severity.HIGH)
        )
        if own or as_admin:
            chosen.append(member)
    return chosen


def preference_of(member: Member) -> Preference:
    try:
        return member.preference
    except Preference.DoesNotExist:
        return Preference(member=member)  # the defaults, not stored until the person saves theirs


def due_at(member: Member, severity: int, now: datetime) -> datetime:
    """High and critical go at once; lower ones wait for the end of the person's quiet hours."""
    if severity >= Severity.HIGH or not member.in_quiet_hours(now):
        return now
    local = now.astimezone(member.zone)
    end = local.replace(hour=member.quiet_end.hour, minute=member.quiet_end.minute, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end


def on_incident_changed(sender, incident: Incident, change: str, **kwargs) -> None:
    now = timezone.now()
    for member in recipients(incident):
        source = f"incident:{incident.pk}:{change}:{incident.severity}"
        webhook_events.fan_out(member, source, incident.severity, incident=incident)  # each change, at once
        due = due_at(member, incident.severity, now)
        if change == "raised":
            # Not sent yet (a wave that grew while its first alert waited): that alert says the new severity.
            waiting = Alert.objects.filter(
                member=member, incident=incident, state=Alert.State.PENDING, channel__isnull=True
            )
            if waiting.filter(due_at__lte=due).update(severity=incident.severity) or waiting.update(
                severity=incident.severity, due_at=due
            ):
                continue
        Alert.objects.get_or_create(
            member=member,
            event=source,
            defaults={"incident": incident, "severity": incident.severity, "due_at": due},
        )
    transaction.on_commit(queue_send)


# Codes that arrive within this of a question still waiting to be sent join it: one alert, not five.
FOLD = timedelta(minutes=5)
QUESTION = "question"


def on_code_awaits_answer(sender, finding, member: Member, **kwargs) -> None:
    """A new code no rule decided on: ask its person "Was this you?" at once (codes in quiet hours
    never get here: the rules call them unsolicited and their incident alerts)."""
    now = timezone.now()
    webhook_events.fan_out(member, f"{QUESTION}:{finding.pk}", Severity.MEDIUM, finding=finding)  # one per code
    waiting = Alert.objects.filter(
        member=member, event__startswith=f"{QUESTION}:", state=Alert.State.PENDING, created_at__gte=now - FOLD
    )
    if waiting.exists():
        return  # that alert lists every code still waiting (message.compose)
    Alert.objects.get_or_create(
        member=member,
        event=f"{QUESTION}:{finding.pk}",
        defaults={"finding": finding, "severity": Severity.MEDIUM, "due_at": now},
    )
    transaction.on_commit(queue_send)


def on_step_contradicted(sender, account, mark, contradicted, **kwargs) -> None:
    """Codes keep coming after the person turned off sign-in with the address: tell them, once per
    reopening (its mark's id is the event's key)."""
    member = account.member
    webhook_events.fan_out(member, f"contradicted:{mark.pk}", Severity.HIGH, finding=mark.finding)
    Alert.objects.get_or_create(
        member=member,
        event=f"contradicted:{mark.pk}",
        defaults={"finding_id": mark.finding_id, "severity": Severity.HIGH, "due_at": timezone.now()},
    )
    transaction.on_commit(queue_send)


def on_incident_handled(sender, incident: Incident, change: str, **kwargs) -> None:
    """Acknowledged, taken or resolved: told to the webhooks of those its alerts go to (people read it
    on the page; receivers such as Home Assistant turn their light off)."""
    for member in recipients(incident):
        source = f"handled:{incident.pk}:{change}:{secrets.token_hex(6)}"  # each time it happens
        webhook_events.fan_out(member, source, incident.severity, incident=incident)
    transaction.on_commit(queue_send)


def on_mailbox_needs_reconnect(sender, mailbox_id: int, **kwargs) -> None:
    """Only the owner can sign in again: tell them, by a task after the change is committed."""
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task(
            "notify.tasks.tell_reconnect", mailbox_id, task_name=f"reconnect-{mailbox_id}", group="alerts"
        )
    )


def queue_send() -> None:
    from django_q.tasks import async_task

    async_task("notify.tasks.send_due", task_name="send-alerts", group="alerts")
