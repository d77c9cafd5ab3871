"""What /healthz reports: whether the database answers, how old the task cluster's and the watcher's
heartbeats are, and how many mailboxes are in trouble. Counts and ages only: no names, no secrets."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

# django-q2 keeps each running cluster's status for 3 s and renews it every guard cycle (0.5 s).
CLUSTER_STALE_SECONDS = 30


def report(operator: bool = False) -> tuple[bool, dict]:
    """(healthy, body). Healthy when the database answers, a task cluster and a watcher are alive.
    The count of mailboxes in trouble spans every household, so only the operator is given it."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False, {"status": "down", "database": "down"}
    cluster = _cluster_age()
    watcher = _watcher_age()
    body = {
        "database": "ok",
        "cluster_heartbeat_age_s": cluster,
        "watcher_heartbeat_age_s": watcher,
    }
    if operator:
        body["mailboxes_in_error"] = _mailboxes_in_error()
    healthy = (
        cluster is not None
        and cluster <= CLUSTER_STALE_SECONDS
        and watcher is not None
        and watcher <= settings.WATCH_LEASE_SECONDS
    )
    body["status"] = "ok" if healthy else "down"
    return healthy, body


def part_alive(part: str, host: str) -> bool:
    """Whether the task cluster or the watcher running on this host (a container's own name) reports in:
    a container's health check, for the parts that serve no page."""
    age = _cluster_age(host) if part == "worker" else _watcher_age(host)
    limit = CLUSTER_STALE_SECONDS if part == "worker" else settings.WATCH_LEASE_SECONDS
    return age is not None and age <= limit


def _cluster_age(host: str | None = None) -> float | None:
    from django_q.status import Stat  # documented monitoring API (Stat.get_all)

    stamps = [stat.timestamp for stat in Stat.get_all() if stat.timestamp and host in (None, stat.host)]
    return _age(max(stamps)) if stamps else None


def _watcher_age(host: str | None = None) -> float | None:
    from scanner.models import Watcher

    watchers = Watcher.objects.filter(name__startswith=f"{host}:") if host else Watcher.objects.all()
    seen = watchers.order_by("-seen_at").values_list("seen_at", flat=True).first()
    return _age(seen) if seen else None


def _mailboxes_in_error() -> int:
    from mailboxes.models import Mailbox

    troubled = [Mailbox.State.ERROR, Mailbox.State.AUTH_FAILED, Mailbox.State.RECONNECT]
    return Mailbox.objects.filter(enabled=True, state__in=troubled).count()


def _age(moment) -> float:
    return round(max(0.0, (timezone.now() - moment).total_seconds()), 1)
