"""What the household dashboard shows, in a fixed number of queries however much data there is."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Member
from incidents.models import Incident
from scanner.models import Finding, Mailbox

from .chart import stacked

CODE = Finding.Category.MS_CODE


def household_summary(viewer: Member) -> dict:
    now = timezone.now()
    household_id = viewer.household_id
    week, month = now - timedelta(days=7), now - timedelta(days=30)
    recent = Finding.objects.filter(owner__member__household_id=household_id, arrived_at__gte=month)
    counts = recent.aggregate(
        codes_7=Count("pk", filter=Q(category=CODE, arrived_at__gte=week)),
        codes_30=Count("pk", filter=Q(category=CODE)),
        unsolicited_7=Count("pk", filter=Q(category=CODE, status=Finding.Status.UNSOLICITED, arrived_at__gte=week)),
        unsolicited_30=Count("pk", filter=Q(category=CODE, status=Finding.Status.UNSOLICITED)),
        alerts_30=Count("pk", filter=Q(category=Finding.Category.MS_ALERT)),
        phishing_30=Count("pk", filter=Q(category=Finding.Category.PHISHING)),
    )
    members = list(Member.objects.filter(household_id=household_id).order_by("joined_at", "id"))
    zone = viewer.zone
    per_day = (
        recent.filter(category=CODE)
        .annotate(day=TruncDate("arrived_at", tzinfo=zone))
        .values("owner_id", "day").annotate(n=Count("pk")).order_by()
    )
    chart = stacked({(row["owner_id"], row["day"]): row["n"] for row in per_day},
                    [(m.user_id, m.display_name) for m in members], now.astimezone(zone).date())
    incidents = Incident.objects.visible_to(viewer).unresolved()
    return {
        "counts": counts,
        "chart": chart,
        "members": members,
        "open_incidents": list(incidents.select_related("member", "assignee__member")[:8]),
        "open_incident_count": incidents.count(),
        "my_pending": Finding.objects.codes().filter(owner_id=viewer.user_id, status=Finding.Status.PENDING).count(),
        "health": mailbox_health(viewer, members),
    }


def mailbox_health(viewer: Member, members: list[Member]) -> list[dict]:
    """Per member: how many mailboxes are fine and how many need attention (no names of mailboxes,
    no hosts: those are each member's own business; admins see the detail on the member page)."""
    states = Counter()
    rows = Mailbox.objects.filter(owner__member__household_id=viewer.household_id).values_list(
        "owner_id", "enabled", "state")
    for owner_id, enabled, state in rows:
        fine = enabled and state in (Mailbox.State.OK, Mailbox.State.NEW)
        states[(owner_id, "ok" if fine else ("paused" if not enabled or state == Mailbox.State.PAUSED else "bad"))] += 1
    return [
        {"member": m, "ok": states[(m.user_id, "ok")], "bad": states[(m.user_id, "bad")],
         "paused": states[(m.user_id, "paused")]}
        for m in members
    ]
