"""What an admin does to an incident: acknowledge, assign, resolve with a note, reopen. Each is audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .models import Incident
from .signals import incident_handled

State = Incident.State
# The actions others may want to hear of (webhooks), as the change incident_handled sends.
HANDLED = {"incident.acknowledged": "acknowledged", "incident.taken": "taken", "incident.resolved": "resolved"}


@transaction.atomic
def acknowledge(incident: Incident, actor) -> None:
    if incident.state != State.OPEN:
        raise ValidationError(_("Only an open incident can be acknowledged."))
    _update(incident, actor, "incident.acknowledged", "Acknowledged", state=State.ACKNOWLEDGED)


@transaction.atomic
def resolve(incident: Incident, actor, note: str) -> None:
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Write what was done (the resolution note) before resolving."))
    if incident.state == State.RESOLVED:
        raise ValidationError(_("This incident is already resolved."))
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
        raise ValidationError(_("Only a resolved incident can be reopened."))
    _update(incident, actor, "incident.reopened", "Reopened", state=State.OPEN, resolved_at=None)


@transaction.atomic
def assign(incident: Incident, actor, assignee) -> None:
    if assignee is not None and getattr(assignee, "member", None) is None:
        raise ValidationError(_("Choose a member of this household."))
    if assignee is not None and assignee.member.pk not in {m.pk for m in incident.assignable()}:
        raise ValidationError(
            _("Incidents can be assigned to the household's owner or admins, or to the member it is about.")
        )
    if incident.assignee_id == (assignee.pk if assignee else None):
        return
    name = assignee.member.display_name if assignee else "nobody"
    _update(incident, actor, "incident.assigned", f"Assigned to {name}", assignee=assignee)


def may_take(incident: Incident, member) -> bool:
    """ "I'm on it": the person the incident is about, or an admin of its household."""
    return member.household_id == incident.household_id and (member.is_admin or incident.member_id == member.pk)


@transaction.atomic
def take(incident: Incident, actor) -> bool:
    """ "I'm on it": the incident is acknowledged and assigned to whoever said it, which stops its
    reminders and escalation for everyone. False when someone already took it (nothing changes)."""
    member = actor.member
    if not may_take(incident, member):
        raise ValidationError(_("Only the person it is about or an admin can take this incident."))
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.state == State.RESOLVED:
        raise ValidationError(_("This incident is already resolved."))
    if locked.state == State.ACKNOWLEDGED and locked.assignee_id:
        incident.state, incident.assignee_id = locked.state, locked.assignee_id
        return False
    _update(incident, actor, "incident.taken", f"{member.display_name} is on it", state=State.ACKNOWLEDGED,
            assignee=actor)  # fmt: skip
    return True


BULK = {"acknowledge": acknowledge, "resolve": resolve}


def bulk(incidents, actor, action: str, note: str = "") -> tuple[list[Incident], list[tuple[Incident, str]]]:
    """One action on many incidents, each in its own transaction with its row locked, so two admins
    resolving the same page at once record each resolution once. Returns (changed, [(skipped, why)]):
    an incident already in the asked-for state is skipped with the reason, never an error for the rest."""
    if action not in BULK:
        raise ValidationError(_("Choose acknowledge or resolve."))
    if action == "resolve" and not (note or "").strip():
        raise ValidationError(_("Write what was done (the resolution note) before resolving."))
    changed, skipped = [], []
    for incident in incidents:
        with transaction.atomic():
            locked = Incident.objects.select_for_update().get(pk=incident.pk)
            try:
                BULK[action](locked, actor, *([note] if action == "resolve" else []))
            except ValidationError as exc:
                skipped.append((locked, " ".join(exc.messages)))
            else:
                changed.append(locked)
    return changed, skipped


def _update(incident: Incident, actor, action: str, summary: str, **fields) -> None:
    Incident.objects.filter(pk=incident.pk).update(**fields)
    for name, value in fields.items():
        setattr(incident, name, value)
    audit.record(incident.household_id, actor, action, summary, incident=incident)
    if action in HANDLED:
        incident_handled.send(sender=Incident, incident=incident, change=HANDLED[action])
