"""What an admin does to an incident: acknowledge, assign, resolve with a note, reopen. Each is audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import audit
from .models import Incident

State = Incident.State


@transaction.atomic
def acknowledge(incident: Incident, actor) -> None:
    if incident.state != State.OPEN:
        raise ValidationError("Only an open incident can be acknowledged.")
    _update(incident, actor, "incident.acknowledged", "Acknowledged", state=State.ACKNOWLEDGED)


@transaction.atomic
def resolve(incident: Incident, actor, note: str) -> None:
    note = (note or "").strip()
    if not note:
        raise ValidationError("Write what was done (the resolution note) before resolving.")
    if incident.state == State.RESOLVED:
        raise ValidationError("This incident is already resolved.")
    _update(
        incident,
        actor,
        "incident.resolved",
        f"Resolved: {note}",
        state=State.RESOLVED,
        resolution_note=note[:2000],
        resolved_at=timezone.now(),
    )


@transaction.atomic
def reopen(incident: Incident, actor) -> None:
    if incident.state != State.RESOLVED:
        raise ValidationError("Only a resolved incident can be reopened.")
    _update(incident, actor, "incident.reopened", "Reopened", state=State.OPEN, resolved_at=None)


@transaction.atomic
def assign(incident: Incident, actor, assignee) -> None:
    if assignee is not None and getattr(assignee, "member", None) is None:
        raise ValidationError("Choose a member of this household.")
    if assignee is not None and assignee.member.pk not in {m.pk for m in incident.assignable()}:
        raise ValidationError(
            "Incidents can be assigned to the household's owner or admins, or to the member it is about."
        )
    if incident.assignee_id == (assignee.pk if assignee else None):
        return
    name = assignee.member.display_name if assignee else "nobody"
    _update(incident, actor, "incident.assigned", f"Assigned to {name}", assignee=assignee)


def _update(incident: Incident, actor, action: str, summary: str, **fields) -> None:
    Incident.objects.filter(pk=incident.pk).update(**fields)
    for name, value in fields.items():
        setattr(incident, name, value)
    audit.record(incident.household_id, actor, action, summary, incident=incident)
