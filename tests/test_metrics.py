"""/metrics: off without a token, a bearer token otherwise, counts and ages by opaque ids only, a constant
number of queries, and scraped for real by Debian's Prometheus, whose HTTP API then holds our numbers."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.people import join
from tests.prometheus_server import MISSING, Prometheus, prometheus_binary
from tests.waiting import wait_for

TOKEN = "metrics-token-for-tests-7f3a"
# Everything private the data below holds: none of it may appear in the metrics.
PRIVATE = [
    "Alpha house", "Beta house", "alice", "bob", "carol", "example.org", "alice-secret-host", "alice.mailbox",
    "Alice home", "outlook.com", "Phone pings", "ntfy.sh", "lures.test", "Microsoft sign-in",
]  # fmt: skip


def make_data(prefix: str = "") -> dict:
    """Two households: findings of three categories, incidents of three severities (one resolved), accounts
    under attack and quiet, mailboxes (one with a known last success), a watcher, alerts and channels."""
    from accounts.models import Household
    from incidents.models import Incident, Severity
    from mailboxes.models import Mailbox
    from msaccounts.models import Account
    from notify.models import Alert, Channel
    from scanner.models import Finding, Watcher

    now = timezone.now()
    alpha, beta = Household.objects.create(name="Alpha house"), Household.objects.create(name="Beta house")
    alice, bob = join(alpha, f"{prefix}alice", "owner"), join(alpha, f"{prefix}bob")
    carol = join(beta, f"{prefix}carol", "owner")
    arrived = now - timedelta(hours=3)
    found = [  # owner, category, seconds from arrival to finding, first-scan history
        (alice, "ms_code", 20, False), (alice, "ms_code", 9000, True), (alice, "phishing", 20, False),
        (bob, "ms_alert", 20, False), (carol, "ms_code", 7200, False),
    ]  # fmt: skip
    for n, (owner, category, delay, history) in enumerate(found):
        finding = Finding.objects.create(
            owner=owner, message_key=f"<{prefix}{n}@lures.test>", category=category, sender_auth="pass",
            subject="Microsoft sign-in code", sender="Microsoft <account-security-noreply@lures.test>",
            recipient=owner.email, arrived_at=arrived, history=history,
        )  # fmt: skip
        Finding.objects.filter(pk=finding.pk).update(found_at=arrived + timedelta(seconds=delay))

    a_alice = Account.objects.create(member=alice.member, address=f"{prefix}alice@outlook.com", last_seen_at=now)
    Account.objects.create(member=bob.member, address=f"{prefix}bob@outlook.com")
    Account.objects.create(
        member=carol.member, address=f"{prefix}carol@outlook.com", last_seen_at=now - timedelta(days=9)
    )

    def incident(household, severity, state, member=None, account=None):
        Incident.objects.create(
            household=household, kind="account", member=member, account=account, severity=severity, state=state,
            opened_at=now, last_seen_at=now,
        )  # fmt: skip

    incident(alpha, Severity.CRITICAL, "open", alice.member, a_alice)
    incident(alpha, Severity.HIGH, "acknowledged", alice.member)
    incident(alpha, Severity.CRITICAL, "resolved", bob.member)
    incident(beta, Severity.LOW, "open", carol.member)

    def mailbox(owner, **fields):
        return Mailbox.objects.create(
            owner=owner, label="Alice home", host="imap.alice-secret-host.test", username="alice.mailbox@x.test",
            **fields,
        )  # fmt: skip

    lagging = mailbox(alice, last_success_at=now - timedelta(seconds=600))
    mailbox(carol)  # never scanned yet: no lag sample
    mailbox(bob, enabled=False, last_success_at=now - timedelta(days=3))  # switched off: not watched
    Watcher.objects.create(key=Watcher.objects.count() + 1, name="box:4242", capacity=10, seen_at=now)

    for n, (member, state) in enumerate(
        [(alice, "sent"), (alice, "sent"), (alice, "failed"), (bob, "sent"), (carol, "pending")]
    ):
        Alert.objects.create(member=member.member, event=f"e{n}", severity=3, state=state, due_at=now)
    for member, url, enabled, failures in [
        (alice, "ntfy://ntfy.sh/alice-topic", True, 0),
        (alice, "ntfy://ntfy.sh/alice-other", True, 1),
        (bob, "tgram://****/1", True, 0),
        (carol, "mycustom://carol.example.org", False, 3),
    ]:
        Channel.objects.create(
            member=member.member, label="Phone pings", url_shown=url, enabled=enabled, failures=failures
        )
    # A webhook's address is https like any web address: its kind, not its scheme, names it.
    Channel.objects.create(
        member=bob.member, label="Hook", kind=Channel.Kind.WEBHOOK, url_shown="https://hooks.example.org:443/****"
    )
    return {"alpha": str(alpha.code), "beta": str(beta.code), "lagging": str(lagging.code)}


def expected(ids: dict) -> dict[str, dict[tuple, float]]:
    a, b = ids["alpha"], ids["beta"]

    def series(*pairs):
        return tuple(sorted(pairs))

    return {
        "otpdash_findings": {
            series(("household", a), ("category", "ms_code")): 2,
            series(("household", a), ("category", "phishing")): 1,
            series(("household", a), ("category", "ms_alert")): 1,
            series(("household", b), ("category", "ms_code")): 1,
        },
        "otpdash_incidents_open": {
            series(("household", a), ("severity", "critical")): 1,
            series(("household", a), ("severity", "high")): 1,
            series(("household", b), ("severity", "low")): 1,
        },
        "otpdash_accounts": {
            series(("household", a), ("state", "attack")): 1,
            series(("household", a), ("state", "quiet")): 1,
            series(("household", b), ("state", "quiet")): 1,
        },
        "otpdash_alerts": {
            series(("household", a), ("state", "sent")): 3,
            series(("household", a), ("state", "failed")): 1,
            series(("household", b), ("state", "pending")): 1,
        },
        "otpdash_channels": {
            series(("household", a), ("kind", "ntfy"), ("status", "ok")): 1,
            series(("household", a), ("kind", "ntfy"), ("status", "failing")): 1,
            series(("household", a), ("kind", "tgram"), ("status", "ok")): 1,
            series(("household", a), ("kind", "webhook"), ("status", "ok")): 1,
            series(("household", b), ("kind", "apprise"), ("status", "disabled")): 1,
        },
        # Not a first scan's history: 20 s three times, 7200 s once.
        "otpdash_detection_seconds_count": {(): 4},
        "otpdash_detection_seconds_sum": {(): 3 * 20 + 7200},
        'otpdash_detection_seconds_bucket{le="10.0"}': {(("le", "10.0"),): 0},
        'otpdash_detection_seconds_bucket{le="30.0"}': {(("le", "30.0"),): 3},
        'otpdash_detection_seconds_bucket{le="3600.0"}': {(("le", "3600.0"),): 3},
        'otpdash_detection_seconds_bucket{le="21600.0"}': {(("le", "21600.0"),): 4},
        'otpdash_detection_seconds_bucket{le="+Inf"}': {(("le", "+Inf"),): 4},
    }


def parse(body: str) -> dict[str, dict[tuple, float]]:
    """The text format as {name: {sorted label pairs: value}}, enough for our own plain label values."""
    from prometheus_client.parser import text_string_to_metric_families

    found: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return found


@pytest.mark.django_db
def test_off_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"])
def test_a_wrong_or_missing_token_is_refused(client, settings, header):
    settings.METRICS_TOKEN = TOKEN
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"otpdash_" not in response.content


@pytest.mark.django_db
def test_the_series_count_the_data_by_opaque_ids_only(client, settings):
    settings.METRICS_TOKEN = TOKEN
    ids = make_data()
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    for word in PRIVATE:
        assert word.lower() not in body.lower(), word
    found = parse(body)
    want = expected(ids)
    for name, series in want.items():
        if "{" not in name:
            assert found[name] == series, name
    buckets = found["otpdash_detection_seconds_bucket"]
    for name, series in want.items():
        if "{" in name:
            assert buckets[next(iter(series))] == next(iter(series.values())), name
    # Only the enabled mailbox that has had a good pass has a lag, labelled by its code, about 600 s.
    (lag_labels, lag), *others = found["otpdash_mailbox_scan_lag_seconds"].items()
    assert not others and dict(lag_labels) == {"household": ids["alpha"], "mailbox": ids["lagging"]}
    assert 600 <= lag < 660
    assert 0 <= found["otpdash_watcher_heartbeat_age_seconds"][()] < 60
    assert "otpdash_cluster_heartbeat_age_seconds" not in found  # no task cluster runs here
    # Our own registry: nothing of the Python process or the default registry.
    assert not [name for name in found if not name.startswith("otpdash_")]


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_data(settings):
    from ops.metrics import exposition

    make_data()
    with CaptureQueriesContext(connection) as small:
        exposition()
    make_data("more-")
    make_data("most-")
    with CaptureQueriesContext(connection) as large:
        exposition()
    assert len(small) == len(large) <= 10, [q["sql"] for q in large.captured_queries]


def test_a_real_prometheus_scrapes_the_series(live_server, settings):
    if prometheus_binary() is None:
        pytest.fail(MISSING, pytrace=False)
    settings.METRICS_TOKEN = TOKEN
    ids = make_data()
    prometheus = Prometheus(urlsplit(live_server.url).netloc, TOKEN).start()
    try:

        def target_up():
            health, error = prometheus.target_health()
            assert health != "down", f"Prometheus could not scrape /metrics: {error}"
            return health == "up"

        wait_for(target_up, 30, "Prometheus to scrape /metrics", lambda: prometheus.log)
        wait_for(lambda: prometheus.query("otpdash_findings"), 15, "the first scrape's series", lambda: prometheus.log)
        assert prometheus.query('up{job="otpdash"}') == {(): 1.0}
        for expression, series in expected(ids).items():
            assert prometheus.query(expression) == series, expression
        lag = prometheus.query("otpdash_mailbox_scan_lag_seconds")
        assert list(lag) == [(("household", ids["alpha"]), ("mailbox", ids["lagging"]))]
        assert 600 <= next(iter(lag.values())) < 660
        assert prometheus.query("otpdash_watcher_heartbeat_age_seconds")[()] < 60
        # Nothing private reached Prometheus either: every label value it holds for our job is ours.
        values = prometheus.api("label/household/values")
        assert sorted(values) == sorted([ids["alpha"], ids["beta"]])
    finally:
        prometheus.destroy()
