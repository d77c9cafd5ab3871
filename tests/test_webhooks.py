"""Signed webhooks: a real local receiver gets each event as JSON, signed so that it can check the
body and its timestamp with the channel's secret; a failing receiver is tried again, later each time,
and gets each event accepted once; the outbound policy holds; the secret is shown once only; and a
household's webhooks are its members' own."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import threading
import time
from datetime import time as clock
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Household, Member
from detect import detect
from incidents import workflow
from incidents.models import Incident, Severity
from msaccounts import checklist
from msaccounts.models import Account, StepMark
from notify import delivery, tasks, webhook_events, webhooks
from notify.models import Alert, Channel, Preference
from otpdash import outbound
from tests.accounts_data import LUCIA_CODE, NIGHT, PETER_CODE
from tests.findings import arrive
from tests.http_sink import HttpSink
from tests.people import join, never_quiet, sign_in

pytestmark = pytest.mark.django_db
SECRET_PAGE = re.compile(r'<code class="secret">(whsec_[^<]+)</code>')


@pytest.fixture
def sink():
    with HttpSink() as server:
        yield server


def _quiet_all_day(user):
    Member.objects.filter(user=user).update(quiet_start=clock(0, 0), quiet_end=clock(23, 59))


def _webhook(member, url, label="Home Assistant") -> tuple[Channel, str]:
    channel = Channel(member=member, label=label, kind=Channel.Kind.WEBHOOK)
    channel.set_url(url, webhooks.shown(url))
    secret = channel.new_secret()
    channel.save()
    return channel, secret


def _verified(request: dict, secret: str) -> dict:
    """What a receiver does, as the README shows: the signature over "<timestamp>.<body>", and a recent timestamp."""
    timestamp, body = request["headers"]["X-OTPDash-Timestamp"], request["body"].encode("utf-8")
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request["headers"]["X-OTPDash-Signature"], f"sha256={expected}")
    assert abs(time.time() - int(timestamp)) < 300
    return json.loads(body)


def _wave(member):
    """A high wave on Lucia's account, in the member's quiet hours: an incident and its webhook deliveries."""
    Preference.objects.update_or_create(member=member.member, defaults={"email_alerts": False})
    _quiet_all_day(member)
    return arrive(member, NIGHT, mail=LUCIA_CODE)


def test_a_wave_reaches_the_webhook_signed_with_masked_data_only(client, member, sink):
    sign_in(client, member)
    url = f"http://127.0.0.1:{sink.port}/api/webhook/ha-token-7781"
    page = client.post(reverse("webhook_add"), {"webhook-label": "Home Assistant", "webhook-url": url})
    (secret,) = SECRET_PAGE.findall(page.content.decode())
    finding = _wave(member)
    assert delivery.send_due() == 1
    (request,) = sink.received
    assert request["method"] == "POST" and request["path"] == "/api/webhook/ha-token-7781"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["User-Agent"] == webhooks.USER_AGENT
    body = _verified(request, secret)
    incident = Incident.objects.get()
    account = incident.account
    assert body["event"] == "wave.started" and body["severity"] == "high"
    assert body["household"] == str(member.member.household.code)
    assert body["incident"] == {"code": str(incident.code), "kind": "account", "state": "open"}
    assert body["finding"] == str(finding.code)
    assert account.address == "lucia.fernandez@example.org" and body["account"] == "l***z@example.org"
    assert body["url"] == f"http://localhost:8000/incidents/{incident.code}/"
    assert body["id"] == request["headers"]["X-OTPDash-Delivery"] and body["occurred_at"].endswith("Z")
    (full_code,) = detect(LUCIA_CODE.read_bytes()).codes
    for kept_back in (full_code, secret, account.address):
        assert kept_back not in request["body"]


def test_a_full_address_goes_out_masked():
    assert webhook_events.masked_address("peter.weber@example.com") == "p***r@example.com"
    assert webhook_events.masked_address("al@example.org") == "a***@example.org"


def test_a_tampered_body_or_another_secret_does_not_verify(member, sink):
    channel, secret = _webhook(member.member, f"http://127.0.0.1:{sink.port}/hook")
    assert tasks.test_channel(channel.pk) == "delivered"
    (request,) = sink.received
    assert _verified(request, secret)["event"] == "test"
    with pytest.raises(AssertionError):
        _verified({**request, "body": request["body"].replace("test", "tesT")}, secret)
    with pytest.raises(AssertionError):
        _verified(request, secret + "x")


def test_a_receiver_that_fails_twice_then_succeeds_accepts_the_event_once(member, sink):
    channel, secret = _webhook(member.member, f"http://127.0.0.1:{sink.port}/hook")
    _wave(member)
    (row,) = Alert.objects.filter(channel=channel)
    sink.status = 500
    start = timezone.now()
    assert delivery.send_due(now=start) == 0
    row.refresh_from_db()
    first_wait = row.due_at - start
    assert row.state == Alert.State.PENDING and first_wait > timezone.timedelta(0)
    assert delivery.send_due(now=start) == 0 and len(sink.received) == 1  # not due yet: it waits
    second = row.due_at
    assert delivery.send_due(now=second) == 0
    row.refresh_from_db()
    assert row.due_at - second > first_wait  # waits longer each time
    sink.status = 200
    assert delivery.send_due(now=row.due_at) == 1
    assert delivery.send_due(now=row.due_at + timezone.timedelta(days=1)) == 0  # never again
    assert len(sink.received) == 3
    bodies = [_verified(request, secret) for request in sink.received]
    assert len({body["id"] for body in bodies}) == 1  # one event: the receiver can tell a retry
    row.refresh_from_db()
    channel.refresh_from_db()
    assert row.state == Alert.State.SENT and row.attempts == 3
    assert channel.enabled and channel.failures == 0 and channel.last_ok_at


def test_three_failures_in_a_row_switch_the_webhook_off(member, sink):
    channel, _secret = _webhook(member.member, f"http://127.0.0.1:{sink.port}/hook")
    sink.status = 503
    _wave(member)
    (row,) = Alert.objects.filter(channel=channel)
    now = timezone.now()
    for _ in range(3):
        delivery.send_due(now=now)
        row.refresh_from_db()
        now = max(now, row.due_at)
    channel.refresh_from_db()
    assert row.state == Alert.State.FAILED and not channel.enabled and channel.failures == 3
    assert channel.last_error == "the webhook's server did not take the event (the details are in the server's log)"
    assert delivery.send_due(now=now + timezone.timedelta(hours=1)) == 0 and len(sink.received) == 3


def test_taking_and_resolving_the_incident_reach_the_webhook_as_their_own_events(member, sink):
    channel, secret = _webhook(member.member, f"http://127.0.0.1:{sink.port}/hook")
    _wave(member)
    incident = Incident.objects.get()
    workflow.take(incident, member)
    workflow.resolve(incident, member, "Changed the password")
    delivery.send_due()
    events = sorted(_verified(r, secret)["event"] for r in sink.received)
    assert events == ["incident.resolved", "incident.taken", "wave.started"]
    assert {_verified(r, secret)["incident"]["code"] for r in sink.received} == {str(incident.code)}


def test_with_several_households_a_local_address_is_refused_and_says_why(client, member, sink):
    stored, _secret = _webhook(member.member, f"http://127.0.0.1:{sink.port}/hook")  # while it was one household
    join(Household.objects.create(name="Beta"), "bodo", "owner")
    for host in ("127.0.0.1", "localhost", "2130706433", "[::1]"):
        ok, error = webhooks.deliver(f"https://{host}:{sink.port}/hook", "k", {"event": "test", "id": "1"})
        assert not ok and outbound.REFUSED in error, host
        ok, error = webhooks.deliver(f"http://{host}:{sink.port}/hook", "k", {"event": "test", "id": "1"})
        assert not ok and outbound.REFUSED in error, host
    assert tasks.test_channel(stored.pk).startswith("failed: the webhook's server " + outbound.REFUSED)
    assert sink.received == []
    sign_in(client, member)
    page = client.post(reverse("webhook_add"), {"webhook-label": "x", "webhook-url": "http://127.0.0.1/hook"})
    text = page.content.decode()
    assert page.status_code == 400 and outbound.REFUSED in text and "OTPDASH_ALLOW_PRIVATE_HOSTS" in text
    assert Channel.objects.count() == 1


def test_plain_http_to_a_public_address_and_odd_addresses_are_refused(client, member):
    sign_in(client, member)
    for url, why in (
        ("http://93.184.216.34/hook", "Use https://"),
        ("ftp://hooks.example.org/x", "starts with https://"),
        ("https://user:pw@hooks.example.org/x", "Leave the user name and password out"),
    ):
        page = client.post(reverse("webhook_add"), {"webhook-label": "x", "webhook-url": url})
        assert page.status_code == 400 and why in page.content.decode(), url
    assert not Channel.objects.exists()


def test_the_secret_is_shown_once_and_never_in_pages_or_logs(client, member, sink, caplog):
    caplog.set_level(logging.DEBUG)
    sign_in(client, member)
    url = f"http://127.0.0.1:{sink.port}/api/webhook/ha-token-7781"
    page = client.post(reverse("webhook_add"), {"webhook-label": "Home Assistant", "webhook-url": url})
    (secret,) = SECRET_PAGE.findall(page.content.decode())
    assert "no-store" in page["Cache-Control"]
    channel = Channel.objects.get()
    assert channel.get_secret() == secret and secret not in channel.secret_sealed + channel.url_sealed
    later = client.get(reverse("notifications")).content.decode()
    assert secret not in later and "ha-token-7781" not in later and f"127.0.0.1:{sink.port}/****" in later
    sink.status = 500
    assert tasks.test_channel(channel.pk).startswith("failed")
    sink.status = 200
    assert tasks.test_channel(channel.pk) == "delivered"
    rotated = client.post(reverse("webhook_rotate", args=[channel.code])).content.decode()
    (new_secret,) = SECRET_PAGE.findall(rotated)
    assert new_secret != secret and secret not in rotated
    assert tasks.test_channel(channel.pk) == "delivered"
    _verified(sink.received[-1], new_secret)
    with pytest.raises(AssertionError):
        _verified(sink.received[-1], secret)  # the old secret stopped working at once
    later = client.get(reverse("notifications")).content.decode()
    channel.refresh_from_db()
    assert "webhook" in caplog.text  # the failure was logged, for the operator
    for text in (later, caplog.text, channel.last_error, *(r["body"] for r in sink.received)):
        assert secret not in text and new_secret not in text and "ha-token-7781" not in text


def test_a_webhook_is_its_members_own(client, member, other_member, sink):
    channel, _secret = _webhook(member.member, f"http://127.0.0.1:{sink.port}/hook", label="Alice HA")
    sealed = channel.secret_sealed
    outsider = join(Household.objects.create(name="Beta"), "bodo", "owner")
    for person in (outsider, other_member):
        sign_in(client, person)
        assert "Alice HA" not in client.get(reverse("notifications")).content.decode()
        assert client.post(reverse("webhook_rotate", args=[channel.code])).status_code == 404
        for action in ("test", "disable", "remove"):
            assert client.post(reverse("channel_action", args=[channel.code]), {"action": action}).status_code == 404
    channel.refresh_from_db()
    assert channel.enabled and channel.secret_sealed == sealed and sink.received == []


def test_each_new_code_asks_on_the_webhook_while_its_person_gets_one_folded_question(member, sink):
    channel, secret = _webhook(member.member, f"http://127.0.0.1:{sink.port}/hook")
    Preference.objects.create(member=member.member, email_alerts=False)
    never_quiet(member)
    start = timezone.now() - timezone.timedelta(minutes=3)
    first, second = arrive(member, start), arrive(member, start + timezone.timedelta(minutes=1))
    assert Alert.objects.filter(channel__isnull=True).count() == 1
    delivery.send_due()
    bodies = [_verified(request, secret) for request in sink.received]
    assert [b["event"] for b in bodies] == ["code.question", "code.question"]
    assert {b["finding"] for b in bodies} == {str(first.code), str(second.code)}
    assert {b["url"] for b in bodies} == {f"http://localhost:8000/codes/{f.code}/" for f in (first, second)}
    assert all(b["incident"] is None and b["account"] == "a***r@example.com" for b in bodies)


def test_a_wave_that_grows_is_raised_on_the_webhook_and_its_persons_alert_stays_one(member, sink):
    channel, secret = _webhook(member.member, f"http://127.0.0.1:{sink.port}/hook")
    _quiet_all_day(member)
    for minutes in (0, 5, 10):  # a burst: the wave becomes high
        arrive(member, NIGHT + timezone.timedelta(minutes=minutes), mail=PETER_CODE)
    (alert,) = Alert.objects.filter(channel__isnull=True)
    assert alert.severity == Severity.HIGH
    delivery.send_due()
    bodies = sorted((_verified(r, secret) for r in sink.received), key=lambda b: b["event"])
    assert [(b["event"], b["severity"]) for b in bodies] == [("incident.raised", "high"), ("wave.started", "medium")]


def test_a_contradicted_step_reaches_the_webhook(member, sink):
    channel, secret = _webhook(member.member, f"http://127.0.0.1:{sink.port}/hook")
    never_quiet(member)
    start = timezone.now() - timezone.timedelta(days=2)
    arrive(member, start)
    account = Account.objects.get(address="anna.weber@example.com")
    checklist.mark(account, "alias", "done", member.member)
    StepMark.objects.filter(account=account, step="alias").update(at=start + timezone.timedelta(hours=1))
    late = arrive(member, timezone.now() - timezone.timedelta(minutes=5))  # codes still come: it did not hold
    delivery.send_due()
    (body,) = [b for b in (_verified(r, secret) for r in sink.received) if b["event"] == "step.contradicted"]
    assert body["finding"] == str(late.code) and body["severity"] == "high"
    assert body["url"] == f"http://localhost:8000/microsoft-accounts/{account.code}/"


def test_the_readmes_verification_example_accepts_a_real_delivery_and_nothing_else(member, sink):
    readme = (settings.BASE_DIR / "README.md").read_text()
    (example,) = re.findall(r"```python\n(import hashlib, hmac, time\n+def verified.*?)```", readme, re.S)
    assert len([line for line in example.splitlines() if line.strip()]) == 5  # blank lines: ruff format
    namespace: dict = {}
    exec(example, namespace)  # noqa: S102 (the README's own code, run as a reader would)
    channel, secret = _webhook(member.member, f"http://127.0.0.1:{sink.port}/hook")
    tasks.test_channel(channel.pk)
    (request,) = sink.received
    headers, body = request["headers"], request["body"].encode()
    verified = namespace["verified"]
    assert verified(secret, headers["X-OTPDash-Timestamp"], headers["X-OTPDash-Signature"], body)
    assert not verified(secret, headers["X-OTPDash-Timestamp"], headers["X-OTPDash-Signature"], body + b" ")
    old = str(int(headers["X-OTPDash-Timestamp"]) - 3600)  # a replay of an hour-old request, signed right
    assert not verified(secret, old, webhooks.signature(secret, old, body), body)


def test_a_redirect_is_never_followed(member, sink):
    """A receiver that redirects could point the signed event anywhere: the redirect counts as a failure."""

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the stdlib's name)
            self.send_response(307)
            self.send_header("Location", f"http://127.0.0.1:{sink.port}/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        channel, _secret = _webhook(member.member, f"http://127.0.0.1:{server.server_address[1]}/hook")
        assert tasks.test_channel(channel.pk).startswith("failed: the webhook's server did not take the event")
    finally:
        server.shutdown()
        server.server_close()
    assert sink.received == []


def test_a_host_name_the_resolver_cannot_encode_is_a_failed_delivery_not_a_crash():
    # A label over 63 characters passes the form's check (it looks nothing up); the lookup then
    # raises UnicodeError, which must end as a failure like any unreachable server.
    ok, error = webhooks.deliver(f"https://{'a' * 64}.example.com/x", "secret", {"event": "test", "id": "1"})
    assert not ok and "could not be reached" in error


def test_a_receiver_that_trickles_its_answer_is_cut_off(monkeypatch):
    """Each byte comes before the socket's own timeout, so only the deadline on the whole exchange ends it."""
    import socket

    monkeypatch.setattr(webhooks, "DEADLINE_SECONDS", 1)
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle():
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        while not stop.wait(0.2):
            try:
                conn.sendall(b"X")
            except OSError:
                break
        conn.close()

    server = threading.Thread(target=trickle, daemon=True)
    server.start()
    outcome = []
    sender = threading.Thread(target=lambda: outcome.append(webhooks.deliver(
        f"http://127.0.0.1:{listener.getsockname()[1]}/hook", "secret", {"event": "test", "id": "1"})))  # fmt: skip
    sender.start()
    sender.join(timeout=20)
    stop.set()
    listener.close()
    assert not sender.is_alive(), "the delivery was still reading after 20 s"
    assert outcome[0][0] is False


def test_a_delivery_that_never_finished_is_not_tried_again_and_again(member, sink):
    channel, _secret = _webhook(member.member, f"http://127.0.0.1:{sink.port}/hook")
    alert = Alert.objects.create(
        member=member.member, channel=channel, event="hook:test", severity=Severity.HIGH, due_at=timezone.now()
    )
    # Its worker was killed mid-send each time: the stale claim put it back, with its attempts counted.
    Alert.objects.filter(pk=alert.pk).update(attempts=delivery.ATTEMPTS)
    delivery.send_due()
    alert.refresh_from_db()
    assert alert.state == Alert.State.FAILED and "never finished" in alert.outcome
    assert not sink.received
