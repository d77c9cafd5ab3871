"""What the household dashboard shows, in a fixed number of queries however much data there is.

The household's figures (counts and codes per member per day) are the costly part: they are cached
per household and time zone, and dropped when the household_changed signal says a finding arrived or was answered;
otherwise they live a minute, so the 7- and 30-day windows move on. Each chart range is cached on its own.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Q, Window
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import Member
from incidents.models import Incident
from mailboxes.models import Mailbox
from notify.models import Snooze
from scanner.models import Finding

from .chart import DEFAULT_RANGE, stacked, svg
from .remediation import remediation

CODE = Finding.Category.MS_CODE
FIGURES_SECONDS = 60


def _version_key(household_id: int) -> str:
    return f"dashboard:version:{household_id}"


def figures_changed(household_id: int) -> None:
    cache.set(_version_key(household_id), time.time_ns(), None)


def on_household_changed(sender, household_id: int, **kwargs) -> None:
    figures_changed(household_id)


def household_figures(household_id: int, members: list[Member], zone, days: int = DEFAULT_RANGE) -> dict:
    """Counts, the chart of the last `days` days and its SVG. The key names the members too, so a new name or
    member redraws it."""
    people = [(m.user_id, m.display_name) for m in members]
    names = hashlib.sha256(repr(people).encode()).hexdigest()[:16]
    version = cache.get(_version_key(household_id), 0)
    # The chart's words are drawn into the cached SVG: one copy per language.
    key = f"dashboard:figures:{household_id}:{zone.key}:{days}:{version}:{names}:{get_language()}"
    figures = cache.get(key)
    if figures is None:
        figures = _figures([pid for pid, _ in people], zone, days)
        figures["chart"] = stacked(figures.pop("per_day"), people, figures["today"], days)
        figures["chart_svg"] = svg(figures["chart"])
        cache.set(key, figures, FIGURES_SECONDS)
    return figures


def _figures(member_ids: list[int], zone, days: int) -> dict:
    now = timezone.now()
    today = now.astimezone(zone).date()
    week, month = now - timedelta(days=7), now - timedelta(days=30)
    mine = Finding.objects.filter(owner_id__in=member_ids)
    counts = mine.filter(arrived_at__gte=month).aggregate(
        codes_7=Count("pk", filter=Q(category=CODE, arrived_at__gte=week)),
        codes_30=Count("pk", filter=Q(category=CODE)),
        unsolicited_7=Count("pk", filter=Q(category=CODE, status=Finding.Status.UNSOLICITED, arrived_at__gte=week)),
        unsolicited_30=Count("pk", filter=Q(category=CODE, status=Finding.Status.UNSOLICITED)),
        alerts_30=Count("pk", filter=Q(category=Finding.Category.MS_ALERT)),
        phishing_30=Count("pk", filter=Q(category=Finding.Category.PHISHING)),
    )
    # From the start of the chart's first local day, so the oldest bar is whole.
    since = datetime.combine(today - timedelta(days=days - 1), datetime.min.time(), tzinfo=zone)
    per_day = (
        mine.filter(category=CODE, arrived_at__gte=since)
        .annotate(day=TruncDate("arrived_at", tzinfo=zone))
        .values("owner_id", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "counts": counts,
        "per_day": {(row["owner_id"], row["day"]): row["n"] for row in per_day},
        "today": today,
    }


def household_summary(viewer: Member, days: int = DEFAULT_RANGE) -> dict:
    members = list(Member.objects.filter(household_id=viewer.household_id).order_by("joined_at", "id"))
    figures = household_figures(viewer.household_id, members, viewer.zone, days)
    incidents = Incident.objects.visible_to(viewer).unresolved()
    # The first eight and how many there are, in one query (a window count over all the rows).
    total = Window(Count("pk"))
    first = list(incidents.select_related("member", "assignee__member", "account").annotate(total=total)[:8])
    health = mailbox_health(viewer, members)
    return {
        "counts": figures["counts"],
        "chart": figures["chart"],
        "chart_svg": figures["chart_svg"],
        "members": members,
        "open_incidents": first,
        "open_incident_count": first[0].total if first else 0,
        "my_pending": Finding.objects.codes()
        .filter(owner_id=viewer.user_id, status=Finding.Status.PENDING, history=False)
        .count(),
        "health": health,
        "remediation": remediation(viewer),
        "snoozes": _snoozes(viewer),
        # With no mailbox linked, a quiet dashboard means nothing has been looked at, not safety.
        "household_mailboxes": sum(_linked(row) for row in health),
        "my_mailboxes": sum(_linked(row) for row in health if row["member"].pk == viewer.pk),
    }


def _snoozes(viewer: Member) -> list:
    """Accounts whose alerts someone silenced: said on the dashboard, so the quiet is not read as safety.
    Admins see the household's; a member their own."""
    rows = Snooze.objects.filter(member__household_id=viewer.household_id, until__gt=timezone.now())
    if not viewer.is_admin:
        rows = rows.filter(member=viewer)
    return list(rows.select_related("member", "account").order_by("until"))


def _linked(row: dict) -> int:
    return row["ok"] + row["bad"] + row["paused"]


def mailbox_health(viewer: Member, members: list[Member]) -> list[dict]:
    """Per member: how many mailboxes work, need attention or are paused. No mailbox names or hosts:
    those are each member's own business."""
    states = Counter()
    rows = Mailbox.objects.filter(owner_id__in=[m.user_id for m in members]).values_list("owner_id", "enabled", "state")
    for owner_id, enabled, state in rows:
        if not enabled or state == Mailbox.State.PAUSED:
            states[(owner_id, "paused")] += 1
        elif state in (Mailbox.State.OK, Mailbox.State.NEW):
            states[(owner_id, "ok")] += 1
        else:
            states[(owner_id, "bad")] += 1
    return [
        {
            "member": m,
            "ok": states[(m.user_id, "ok")],
            "bad": states[(m.user_id, "bad")],
            "paused": states[(m.user_id, "paused")],
        }
        for m in members
    ]
