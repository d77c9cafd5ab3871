"""The read-only API: each route as a member and as an admin of two households, never crossing; no
full code or mailbox secret in any answer; cursor pages, ETags, the rate limit, JSON errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Household
from incidents.models import Incident
from mailboxes.models import Mailbox
from msaccounts.models import Account
from scanner.models import Finding
from tests.api_clients import Reader, make_token
from tests.findings import SINGLE_USE, UNUSUAL_SIGNIN, arrive
from tests.mailgen import CODE_MAIL_CODE
from tests.people import join

pytestmark = pytest.mark.django_db
SECRET = "alices-mailbox-secret-77"
ROUTES = ("/api/v1/accounts", "/api/v1/incidents", "/api/v1/findings", "/api/v1/mailboxes")


def _night(days_ago: int):
    """02:00 UTC some days ago: in quiet hours, so each code opens an incident, and inside the 7-day counts."""
    return (timezone.now() - timedelta(days=days_ago)).replace(hour=2, minute=0, second=0, microsecond=0)


def _mailbox(owner, label: str, host: str, secret: str) -> Mailbox:
    mailbox = Mailbox(owner=owner, label=label, host=host, username=owner.username)
    mailbox.set_secret(secret)
    mailbox.save()
    return mailbox


@pytest.fixture
def world(django_user_model):
    home, next_door = Household.objects.create(name="Home"), Household.objects.create(name="Next door")
    users = {
        "adam": join(home, "adam", "admin"),
        "alice": join(home, "alice", "member"),
        "bob": join(home, "bob", "member"),
        "xena": join(next_door, "xena", "owner"),
        "yuri": join(next_door, "yuri", "member"),
    }
    findings = {
        "alice": [arrive(users["alice"], _night(2), SINGLE_USE), arrive(users["alice"], _night(2), UNUSUAL_SIGNIN)],
        "bob": [arrive(users["bob"], _night(5))],
        "yuri": [arrive(users["yuri"], _night(3))],
    }
    _mailbox(users["alice"], "Alice private box", "imap.alice.example", SECRET)
    _mailbox(users["yuri"], "Yuri box", "imap.yuri.example", "yuris-secret-99")
    assert not Incident.objects.filter(kind=Incident.Kind.CAMPAIGN).exists()  # each incident is one person's
    readers = {name: Reader(make_token(user, f"{name}'s script")) for name, user in users.items()}
    return {"users": users, "homes": {"home": home, "next_door": next_door}, "findings": findings, "readers": readers}


# Whose rows each token reads: an admin's the household's, a member's their own.
SEES = {"adam": {"alice", "bob"}, "alice": {"alice"}, "bob": {"bob"}, "xena": {"yuri"}, "yuri": {"yuri"}}


def _codes(items) -> set[str]:
    return {item["code"] for item in items}


@pytest.mark.parametrize("viewer", list(SEES))
def test_each_route_reads_what_the_token_may_see_and_nothing_of_the_other_household(world, viewer):
    reader, users, owners = world["readers"][viewer], world["users"], SEES[viewer]
    people = [users[name].member for name in owners]
    findings = _codes(reader.walk("/api/v1/findings"))
    assert findings == {str(f.code) for name in owners for f in world["findings"][name]}
    accounts = _codes(reader.walk("/api/v1/accounts"))
    assert accounts == {str(a.code) for a in Account.objects.filter(member__in=people)} and accounts
    incidents = _codes(reader.walk("/api/v1/incidents"))
    assert incidents == {str(i.code) for i in Incident.objects.filter(member__in=people)} and incidents
    mailboxes = _codes(reader.walk("/api/v1/mailboxes"))
    assert mailboxes == {str(m.code) for m in Mailbox.objects.filter(owner__member__in=people)}
    for incident in Incident.objects.all():
        answer = reader.get(f"/api/v1/incidents/{incident.code}")
        if str(incident.code) in incidents:
            assert answer.status_code == 200 and _codes(answer.json()["findings"]) <= findings
        else:
            assert answer.status_code == 404 and "visible to this token" in answer.json()["detail"]
    summary = reader.json("/api/v1/summary")
    household = users[viewer].member.household
    assert summary["household"] == {"code": str(household.code), "name": household.name}
    # The household's counts, as the dashboard shows them to everyone in it.
    codes = Finding.objects.codes().filter(owner__member__household=household).count()
    assert summary["codes_7_days"] == codes and summary["members"] == household.members.count()
    assert summary["open_incidents"] == len(incidents)


def test_an_account_carries_its_state_and_checklist_with_marks_and_evidence(world):
    account = world["readers"]["alice"].walk("/api/v1/accounts")[0]
    assert account["member"]["name"] == "Alice" and account["state"] in ("attack", "secured", "quiet")
    assert account["progress"]["total"] == len(account["steps"]) > 0
    assert {step["state"] for step in account["steps"]} == {"to_do"} and account["next_step"]
    assert all(step["evidence"] is None and step["marked_at"] is None for step in account["steps"])
    assert account["open_incident"] in {str(i.code) for i in Incident.objects.filter(member__user__username="alice")}


def test_an_admin_sees_how_each_mailbox_fares_but_not_where_it_connects(world):
    theirs = world["readers"]["adam"].walk("/api/v1/mailboxes")
    assert [(m["member"]["name"], m["yours"], m["label"], m["host"], m["username"]) for m in theirs] == [
        ("Alice", False, None, None, None)
    ]
    own = world["readers"]["alice"].walk("/api/v1/mailboxes")
    assert [(m["yours"], m["label"], m["host"]) for m in own] == [(True, "Alice private box", "imap.alice.example")]
    assert world["readers"]["bob"].walk("/api/v1/mailboxes") == []


def test_no_answer_ever_holds_a_full_code_or_a_mailbox_secret(world):
    code = world["findings"]["alice"][0]
    assert code.codes_masked and CODE_MAIL_CODE not in str(code.codes_masked)
    bodies = []
    for reader in world["readers"].values():
        for route in (*ROUTES, "/api/v1/summary", *(f"/api/v1/incidents/{i.code}" for i in Incident.objects.all())):
            bodies.append(reader.get(route).content.decode())
    everything = "\n".join(bodies)
    assert str(code.code) in everything and code.codes_masked[0] in everything  # the finding is there, masked
    for secret in (CODE_MAIL_CODE, SECRET, "yuris-secret-99", "secret_sealed", "secret_hash"):
        assert secret not in everything, secret


def test_findings_filter_by_kind_since_account_and_incident(world):
    reader = world["readers"]["adam"]
    alice_code, alice_alert = world["findings"]["alice"]
    alerts = reader.walk("/api/v1/findings?kind=ms_alert")
    assert _codes(alerts) == {str(alice_alert.code)}
    since = _night(3).isoformat().replace("+00:00", "Z")
    recent = _codes(reader.walk(f"/api/v1/findings?since={since}"))
    assert recent == {str(alice_code.code), str(alice_alert.code)}  # bob's is five nights old
    account = Account.objects.get(findings=alice_code)
    by_account = _codes(reader.walk(f"/api/v1/findings?account={account.code}"))
    assert str(alice_code.code) in by_account and str(world["findings"]["bob"][0].code) not in by_account
    incident = Incident.objects.get(findings=alice_code)
    assert str(alice_code.code) in _codes(reader.walk(f"/api/v1/findings?incident={incident.code}"))


@pytest.mark.parametrize(
    "query",
    [
        "kind=codes", "since=yesterday", "account=not-a-code", "limit=0", "limit=5000", "cursor=abc", "state=closed",
        # Valid dates whose move to UTC falls off the calendar (SQLite's adapter would overflow: a 500).
        "since=0001-01-01T00:00:00%2B01:00", "since=9999-12-31T23:30:00-01:00",
    ],
)  # fmt: skip
def test_bad_filter_values_answer_422_with_one_sentence(world, query):
    route = "/api/v1/incidents" if query.startswith("state") else "/api/v1/findings"
    answer = world["readers"]["adam"].get(f"{route}?{query}")
    assert answer.status_code == 422 and answer["Content-Type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"detail"} and isinstance(body["detail"], str) and len(body["detail"]) > 20
    name = query.split("=")[0]
    assert name in body["detail"] or "cursor" in body["detail"]


def test_another_households_account_is_no_filter_value(world):
    theirs = Account.objects.get(member__user=world["users"]["yuri"])
    answer = world["readers"]["adam"].get(f"/api/v1/findings?account={theirs.code}")
    assert answer.status_code == 422 and "visible to this token" in answer.json()["detail"]


def test_pages_walk_every_row_once_in_a_stable_order(world):
    alice = world["users"]["alice"]
    same_moment = _night(1)
    for _ in range(3):  # equal arrival times: the cursor's tie-break (the code) keeps them apart
        arrive(alice, same_moment)
    for hours in range(1, 4):
        arrive(alice, same_moment + timedelta(hours=hours))
    reader = world["readers"]["alice"]
    expected = {str(f.code) for f in Finding.objects.filter(owner=alice)}
    first = reader.json("/api/v1/findings?limit=2")
    assert len(first["items"]) == 2 and "cursor=" in first["next"] and "limit=2" in first["next"]
    walked = reader.walk("/api/v1/findings?limit=2")
    codes = [item["code"] for item in walked]
    assert len(codes) == len(set(codes)) == len(expected) == 8 and set(codes) == expected
    times = [item["arrived_at"] for item in walked]
    assert times == sorted(times, reverse=True)
    # A cursor is the list's own: edited, or taken to another list, it is refused.
    cursor = first["next"].split("cursor=")[1].split("&")[0]
    assert reader.get(f"/api/v1/findings?cursor={cursor[:-3]}xyz").status_code == 422
    assert reader.get(f"/api/v1/incidents?cursor={cursor}").status_code == 422


def test_an_unchanged_list_answers_304_to_its_etag(world):
    reader = world["readers"]["alice"]
    first = reader.get("/api/v1/findings")
    etag = first["ETag"]
    assert first.status_code == 200 and etag and "private" in first["Cache-Control"]
    again = reader.get("/api/v1/findings", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    arrive(world["users"]["alice"], _night(1))
    changed = reader.get("/api/v1/findings", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_each_token_has_its_own_rate_limit(world, settings):
    settings.API_REQUESTS_PER_MINUTE = 3
    alice, bob = world["readers"]["alice"], world["readers"]["bob"]
    assert [alice.get("/api/v1/summary").status_code for _ in range(3)] == [200, 200, 200]
    limited = alice.get("/api/v1/summary")
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    assert "wait a minute" in limited.json()["detail"]
    assert bob.get("/api/v1/summary").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/nothing", "/api/v1/docs", "/api/v1/incidents/x/y"])
def test_what_is_no_route_answers_404_in_json(world, path):
    answer = world["readers"]["alice"].get(path)
    assert answer.status_code == 404 and "/api/v1/schema" in answer.json()["detail"]


def test_the_api_is_read_only_and_says_so_in_json(world):
    reader = world["readers"]["adam"]
    refused = reader.client.post("/api/v1/findings", {}, HTTP_AUTHORIZATION=f"Bearer {reader.secret}")
    assert refused.status_code == 405 and refused["Allow"] == "GET" and "read-only" in refused.json()["detail"]


def test_a_since_without_a_zone_is_read_as_utc(world):
    reader = world["readers"]["alice"]
    naive = _night(2).replace(tzinfo=None).isoformat()
    assert _codes(reader.walk(f"/api/v1/findings?since={naive}")) == {str(f.code) for f in world["findings"]["alice"]}
    later = (_night(2) + timedelta(minutes=1)).replace(tzinfo=None).isoformat()
    assert reader.walk(f"/api/v1/findings?since={later}") == []


def test_a_failure_on_the_server_is_json_too(world, monkeypatch):
    from api import present

    def broken(row):
        raise RuntimeError("a bug")

    monkeypatch.setattr(present, "finding", broken)
    failed = world["readers"]["alice"].get("/api/v1/findings")
    assert failed.status_code == 500 and "try again later" in failed.json()["detail"]
