"""Codes, incidents and the audit log page by 50 and say how much there is; no list hides rows."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import audit
from incidents.models import AuditEvent, Incident
from otpdash.paging import page_of
from scanner.models import Finding
from tests.findings import arrive
from tests.people import join, never_quiet, sign_in

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 2, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def with_120_codes(client, household):
    owner = join(household, "olivia", "owner")
    never_quiet(owner)
    # One a day at noon: no burst, no quiet hours, so all 120 stay "not answered yet".
    codes = [arrive(owner, START - timedelta(days=n)) for n in range(120)]
    sign_in(client, owner)
    return owner, codes


def rows(page: str) -> list[str]:
    return re.findall(r'<tr id="code-([0-9a-f-]+)"', page)


def test_120_codes_are_three_pages_that_say_how_many_there_are(client, with_120_codes):
    _, codes = with_120_codes
    first = client.get("/codes/").content.decode()
    assert len(rows(first)) == 50 and "1–50 of 120" in first and "page 1 of 3" in first
    assert 'href="?page=2"' in first and 'href="?page=3"' in first  # Older, Oldest
    last = client.get("/codes/?page=3").content.decode()
    assert len(rows(last)) == 20 and "101–120 of 120" in last
    assert str(codes[-1].code) in rows(last)  # the oldest code is there to be seen
    shown = set(rows(first)) | set(rows(client.get("/codes/?page=2").content.decode())) | set(rows(last))
    assert shown == {str(c.code) for c in codes}  # every code on exactly one of the pages


def test_paging_keeps_the_filter_and_odd_page_numbers_still_show_the_list(client, with_120_codes):
    pending = client.get("/codes/?status=pending&page=2").content.decode()
    assert "51–100 of 120" in pending
    assert 'href="?status=pending&amp;page=3"' in pending and 'href="?status=pending&amp;page=1"' in pending
    assert "1–50 of 120" in client.get("/codes/?page=abc").content.decode()
    assert "101–120 of 120" in client.get("/codes/?page=99").content.decode()
    assert "No codes or alerts" in client.get("/codes/?status=expected").content.decode()


def test_incidents_page_with_their_count(client, household):
    owner = join(household, "olivia", "owner")
    sign_in(client, owner)
    for n in range(60):
        at = START - timedelta(days=n)
        Incident.objects.create(household=household, kind=Incident.Kind.PHISHING, member=owner.member,
                                account_hint=f"a{n}@example.org", opened_at=at, last_seen_at=at)  # fmt: skip
    first = client.get("/incidents/").content.decode()
    assert "1–50 of 60" in first and first.count('href="/incidents/') - first.count('href="/incidents/log') >= 50
    second = client.get("/incidents/?state=unresolved&page=2").content.decode()
    assert "51–60 of 60" in second and "a59@example.org" in second
    assert 'hx-get="/incidents/?state=unresolved&amp;page=2"' in second  # the refresh keeps the page


def test_the_audit_log_is_no_longer_cut_at_200(client, household):
    owner = join(household, "olivia", "owner")
    sign_in(client, owner)
    for n in range(250):
        audit.record(household.pk, None, "test", f"event number {n}")
    assert AuditEvent.objects.filter(household=household).count() >= 250
    first = client.get("/incidents/log/").content.decode()
    assert re.search(r"1–50 of 25\d", first) and "event number 249" in first  # newest first
    last = client.get("/incidents/log/?page=99").content.decode()
    assert "event number 0" in last  # the oldest: under the old cap of 200 it was never shown


def test_a_page_and_its_total_cost_one_query(rf, with_120_codes):
    owner, _ = with_120_codes
    rows = Finding.objects.filter(owner=owner).order_by("-arrived_at")
    with CaptureQueriesContext(connection) as captured:
        page = page_of(rf.get("/codes/", {"page": "2"}), rows)
        assert (page.number, page.paginator.count, len(page)) == (2, 120, 50)
    assert len(captured) == 1
    with CaptureQueriesContext(connection) as captured:
        page = page_of(rf.get("/codes/", {"page": "7"}), rows)
        assert (page.number, len(page)) == (3, 20)
    assert len(captured) == 3  # the empty page, the count, the last page
