"""What a webhook receives: one JSON body per event, built from its delivery row (an Alert with its
channel set), and those rows, made for each webhook of a person when something happens to them.

Masked codes only, never a full code or a mailbox secret: the body names the incident, finding and
account by their UUID codes and the account by its masked address."""

from __future__ import annotations

import uuid
from datetime import UTC

from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident, Severity
from msaccounts.models import Account, AccountFinding, StepMark
from otpdash.mail import absolute

from .models import Alert, Channel, Snooze

PREFIX = "hook"
# The delivery id is derived from the row, so a retry carries the same id and a receiver can dedupe.
_DELIVERY_IDS = uuid.UUID("9a6f3c1e-7b2d-4e58-a0c4-5d1e8f2b6a37")
WAVES = (Incident.Kind.ACCOUNT, Incident.Kind.CAMPAIGN)
# The person's alert kinds (notify/alerts.py, notify/followup.py) and the handled changes, as event names.
EVENTS = {
    "raised": "incident.raised",
    "question": "code.question",
    "contradicted": "step.contradicted",
    "reminder": "wave.continuing",
    "escalation": "incident.unattended",
    "acknowledged": "incident.acknowledged",
    "taken": "incident.taken",
    "resolved": "incident.resolved",
}


def fan_out(member, source: str, severity: int, incident=None, finding=None) -> int:
    """A delivery row, due at once, for each webhook of the person that is on; `source` is the event's
    key (as the person's alert has it), unique with the channel. Returns how many were made."""
    made = 0
    if _snoozed(member, incident, finding, source):
        return 0
    for channel in Channel.objects.filter(member=member, kind=Channel.Kind.WEBHOOK, enabled=True):
        _, created = Alert.objects.get_or_create(
            member=member,
            event=f"{PREFIX}:{channel.pk}:{source}",
            defaults={
                "channel": channel,
                "incident": incident,
                "finding": finding,
                "severity": severity,
                "due_at": timezone.now(),
            },
        )
        made += created
    return made


def _snoozed(member, incident, finding, source: str) -> bool:
    """A silenced account stays silent on webhooks too; an escalation goes to admins regardless."""
    if source.startswith("escalation:"):
        return False
    account_id = _account_id(incident, finding, source)
    return Snooze.objects.until(member, account_id, timezone.now()) is not None


def _account_id(incident, finding, source: str) -> int | None:
    if incident is not None:
        return incident.account_id
    if source.startswith("contradicted:"):
        return StepMark.objects.filter(pk=int(source.split(":")[1])).values_list("account_id", flat=True).first()
    if finding is not None:
        return AccountFinding.objects.filter(finding=finding).values_list("account_id", flat=True).first()
    return None


def source_of(alert: Alert) -> str:
    return alert.event.split(":", 2)[2]


def event_name(alert: Alert) -> str:
    source = source_of(alert).split(":")
    if source[0] == "incident":
        if source[2] == "opened":
            return "wave.started" if alert.incident and alert.incident.kind in WAVES else "incident.opened"
        return EVENTS["raised"]
    if source[0] == "handled":
        return EVENTS[source[2]]
    return EVENTS[source[0]]


def masked_address(address: str) -> str:
    """An address as a webhook may carry it: the first and last letter of its name, and its domain."""
    if not address or "*" in address:
        return address  # a hint Microsoft masked already
    name, at, domain = address.partition("@")
    kept = name[:1] + "***" + (name[-1:] if len(name) > 2 else "")
    return f"{kept}{at}{domain}"


def payload(alert: Alert) -> dict:
    """The body of one delivery, as its receiver gets it (the same on every retry)."""
    incident, finding = alert.incident, alert.finding
    source = source_of(alert)
    account = _account(incident, finding, source)
    if incident is not None:
        link = reverse("incident_detail", args=[incident.code])
        finding = finding or incident.findings.order_by("-arrived_at").first()
    elif source.startswith("contradicted:") and account is not None:
        link = reverse("account_detail", args=[account.code])
    elif finding is not None:
        link = reverse("finding_detail", args=[finding.code])
    else:
        link = reverse("dashboard")
    return {
        "event": event_name(alert),
        "id": str(uuid.uuid5(_DELIVERY_IDS, f"{alert.pk}:{alert.created_at.isoformat()}")),
        "occurred_at": _utc(alert.created_at),
        "household": str(alert.member.household.code),
        "severity": Severity(alert.severity).name.lower(),
        "incident": None
        if incident is None
        else {"code": str(incident.code), "kind": incident.kind, "state": incident.state},
        "finding": str(finding.code) if finding is not None else None,
        "account": masked_address(account.address) if account is not None else None,
        "url": absolute(link),
    }


def test_payload(channel: Channel) -> dict:
    """What the Test button sends: signed as every event, about nothing."""
    return {
        "event": "test",
        "id": str(uuid.uuid4()),
        "occurred_at": _utc(timezone.now()),
        "household": str(channel.member.household.code),
        "severity": None,
        "incident": None,
        "finding": None,
        "account": None,
        "url": absolute(reverse("notifications")),
    }


def _account(incident, finding, source: str) -> Account | None:
    account_id = _account_id(incident, finding, source)
    return Account.objects.filter(pk=account_id).first() if account_id else None


def _utc(moment) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
