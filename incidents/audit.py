from __future__ import annotations

from .models import AuditEvent


def record(household_id: int, actor, action: str, summary: str, incident=None, finding=None) -> AuditEvent:
    """One line of the audit log. actor None means the rules acted."""
    name = ""
    if actor is not None:
        member = getattr(actor, "member", None)
        name = member.display_name if member else actor.get_username()
    return AuditEvent.objects.create(
        household_id=household_id,
        actor=actor,
        actor_name=name[:80],
        action=action,
        summary=summary[:2100],
        incident=incident,
        finding=finding,
    )
