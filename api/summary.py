"""The household's counts for /api/v1/summary: what the dashboard counts, asked of the models here
(the domain side must not import the dashboard; tests/test_layout.py holds that)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Member
from incidents.models import Incident, Severity
from mailboxes.models import Mailbox
from scanner.models import Finding

CODE = Finding.Category.MS_CODE
HEALTHY = (Mailbox.State.OK, Mailbox.State.NEW)


def household_counts(member: Member) -> dict:
    now = timezone.now()
    week, month = now - timedelta(days=7), now - timedelta(days=30)
    household = member.household
    findings = Finding.objects.filter(owner__member__household_id=household.pk, arrived_at__gte=month)
    counts = findings.aggregate(
        codes_7_days=Count("pk", filter=Q(category=CODE, arrived_at__gte=week)),
        codes_30_days=Count("pk", filter=Q(category=CODE)),
        unsolicited_7_days=Count(
            "pk", filter=Q(category=CODE, status=Finding.Status.UNSOLICITED, arrived_at__gte=week)
        ),
        unsolicited_30_days=Count("pk", filter=Q(category=CODE, status=Finding.Status.UNSOLICITED)),
        alerts_30_days=Count("pk", filter=Q(category=Finding.Category.MS_ALERT)),
        phishing_30_days=Count("pk", filter=Q(category=Finding.Category.PHISHING)),
    )
    # Open incidents as this token may see them: the household's for an admin, a member's own.
    by_severity = {str(label): 0 for label in Severity.labels}
    rows = Incident.objects.visible_to(member).unresolved().order_by().values("severity").annotate(n=Count("pk"))
    for row in rows:
        by_severity[str(Severity(row["severity"]).label)] = row["n"]
    mailboxes = Mailbox.objects.filter(owner__member__household_id=household.pk)
    paused = Q(enabled=False) | Q(state=Mailbox.State.PAUSED)
    health = mailboxes.aggregate(
        ok=Count("pk", filter=~paused & Q(state__in=HEALTHY)),
        attention=Count("pk", filter=~paused & ~Q(state__in=HEALTHY)),
        paused=Count("pk", filter=paused),
    )
    pending = Finding.objects.codes().filter(owner_id=member.user_id, status=Finding.Status.PENDING, history=False)
    return {
        "household": {"code": household.code, "name": household.name},
        "members": household.members.count(),
        **counts,
        "open_incidents": sum(by_severity.values()),
        "open_incidents_by_severity": by_severity,
        "your_pending_answers": pending.count(),
        "mailboxes": health,
    }
