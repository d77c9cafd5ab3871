"""What /metrics tells Prometheus: counts and ages read from the database at scrape time, one aggregate
query per series. Households and mailboxes appear only as their UUID codes: no names, hosts or addresses."""

from __future__ import annotations

from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, Sum
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

# Detection time: from a mail's arrival to its finding, in seconds (the watcher's push to a daily poll).
DETECTION_BUCKETS = (10, 30, 60, 120, 300, 600, 1800, 3600, 6 * 3600, 24 * 3600)
NO_HOUSEHOLD = "none"  # a user outside every household (the install's operator, say)


class DatabaseCollector:
    """A Prometheus collector that asks the database at each scrape; it keeps nothing between scrapes."""

    def collect(self):
        yield _findings()
        yield _incidents()
        yield _accounts()
        yield _scan_lag()
        yield from _heartbeats()
        yield _alerts()
        yield _channels()
        yield _detection_time()


# Our own registry, never the default one: no process or Python series, nothing another module registered.
REGISTRY = CollectorRegistry(auto_describe=False)
REGISTRY.register(DatabaseCollector())


def exposition() -> bytes:
    """The metrics in Prometheus's text format."""
    return generate_latest(REGISTRY)


def _household(code) -> str:
    return str(code) if code else NO_HOUSEHOLD


def _counted(name: str, documentation: str, rows, household: str, field: str, word=str) -> GaugeMetricFamily:
    """Rows counted in one query by their household (the opaque code at the path `household`) and
    by `field`, which names the series' second label; word turns its value into the label's."""
    family = GaugeMetricFamily(name, documentation, labels=["household", field])
    for row in rows.order_by().values(household, field).annotate(n=Count("pk")):
        family.add_metric([_household(row[household]), word(row[field])], row["n"])
    return family


def _findings() -> GaugeMetricFamily:
    from scanner.models import Finding

    return _counted(
        "otpdash_findings", "Messages the detector flagged (stored findings), by category.",
        Finding.objects.all(), "owner__member__household__code", "category",
    )  # fmt: skip


def _incidents() -> GaugeMetricFamily:
    from incidents.models import Incident, Severity

    return _counted(
        "otpdash_incidents_open", "Incidents not yet resolved (open or acknowledged), by severity.",
        Incident.objects.unresolved(), "household__code", "severity", lambda severity: Severity(severity).label,
    )  # fmt: skip


def _accounts() -> GaugeMetricFamily:
    """The state the accounts page shows (attack, secured, quiet), decided by msaccounts.overview's own
    rules: the accounts in one query, their checklist marks in another, however many there are."""
    from msaccounts import checklist, overview
    from msaccounts.models import Account

    family = GaugeMetricFamily(
        "otpdash_accounts", "Microsoft accounts by state (attack, secured, quiet).", labels=["household", "state"]
    )
    accounts = list(Account.objects.order_by().annotate(household_code=F("member__household__code")))
    current = checklist.states(accounts)
    now, counts = timezone.now(), {}
    for account in accounts:
        proofs = overview.proofs_of(account, current[account.pk], UTC, now)
        state, _words = overview.describe(account, current[account.pk], UTC, now, proofs)
        key = (_household(account.household_code), state)
        counts[key] = counts.get(key, 0) + 1
    for (household, state), n in sorted(counts.items()):
        family.add_metric([household, state], n)
    return family


def _scan_lag() -> GaugeMetricFamily:
    from mailboxes.models import Mailbox

    family = GaugeMetricFamily(
        "otpdash_mailbox_scan_lag_seconds",
        "Seconds since each enabled mailbox's last successful scan (absent until its first one).",
        labels=["household", "mailbox"],
    )
    now = timezone.now()
    rows = (
        Mailbox.objects.filter(enabled=True, last_success_at__isnull=False)
        .order_by()
        .values_list("owner__member__household__code", "code", "last_success_at")
    )
    for household, code, last in rows:
        family.add_metric([_household(household), str(code)], max(0.0, (now - last).total_seconds()))
    return family


def _heartbeats():
    from scanner.models import Watcher

    from .health import _cluster_age

    watcher = GaugeMetricFamily(
        "otpdash_watcher_heartbeat_age_seconds", "Seconds since the newest watcher heartbeat (absent: no watcher)."
    )
    seen = Watcher.objects.aggregate(newest=Max("seen_at"))["newest"]
    if seen:
        watcher.add_metric([], max(0.0, (timezone.now() - seen).total_seconds()))
    yield watcher
    cluster = GaugeMetricFamily(
        "otpdash_cluster_heartbeat_age_seconds", "Seconds since the task cluster last reported (absent: none runs)."
    )
    age = _cluster_age()
    if age is not None:
        cluster.add_metric([], age)
    yield cluster


def _alerts() -> GaugeMetricFamily:
    from notify.models import Alert

    return _counted(
        "otpdash_alerts", "Alerts by delivery state (pending, sending, sent, failed).",
        Alert.objects.all(), "member__household__code", "state",
    )  # fmt: skip


def _channels() -> GaugeMetricFamily:
    """Channels by kind (a webhook, or an Apprise URL's scheme read from its masked form) and whether
    the last delivery to them failed; a scheme outside the install's list is counted as "apprise"."""
    from notify.models import Channel

    family = GaugeMetricFamily(
        "otpdash_channels",
        "Alert channels by kind and status (ok, failing: the last delivery failed, disabled).",
        labels=["household", "kind", "status"],
    )
    rows = (
        Channel.objects.order_by()
        .values("member__household__code", "kind", "url_shown", "enabled", "failures")
        .annotate(n=Count("pk"))
    )
    counts = {}
    for row in rows:
        scheme = urlsplit(row["url_shown"]).scheme.lower()
        kind = (
            "webhook"
            if row["kind"] == Channel.Kind.WEBHOOK
            else scheme
            if scheme in settings.CHANNEL_SCHEMES
            else "apprise"
        )
        status = "disabled" if not row["enabled"] else "failing" if row["failures"] else "ok"
        key = (_household(row["member__household__code"]), kind, status)
        counts[key] = counts.get(key, 0) + row["n"]
    for key, n in sorted(counts.items()):
        family.add_metric(list(key), n)
    return family


def _detection_time() -> HistogramMetricFamily:
    """Arrival to finding for mail found as it came (a first scan's history is left out), in one query."""
    from scanner.models import Finding

    delay = ExpressionWrapper(F("found_at") - F("arrived_at"), output_field=DurationField())
    within = {
        f"le_{seconds}": Count("pk", filter=Q(found_at__lte=F("arrived_at") + timedelta(seconds=seconds)))
        for seconds in DETECTION_BUCKETS
    }
    row = Finding.objects.filter(history=False).aggregate(total=Count("pk"), delay=Sum(delay), **within)
    buckets = [(str(float(seconds)), row[f"le_{seconds}"]) for seconds in DETECTION_BUCKETS]
    buckets.append(("+Inf", row["total"]))
    family = HistogramMetricFamily(
        "otpdash_detection_seconds", "Seconds from a mail's arrival to its finding (not a first scan's history)."
    )
    family.add_metric([], buckets, (row["delay"] or timedelta(0)).total_seconds())
    return family
