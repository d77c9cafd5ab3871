"""The one-click answers (htmx and plain forms), the sign-in window button, and reviewing incidents."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from django.urls import reverse
from django.utils import timezone as django_tz

from incidents.models import AuditEvent, Incident, SignInWindow
from scanner.models import Finding
from tests.findings import SECURITY_CODE, arrive
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def alice(client, member):
    return sign_in(client, member)


def test_not_me_with_htmx_swaps_the_row_and_opens_an_incident(alice, member):
    finding = arrive(member, NOON)
    page = alice.get(reverse("codes")).content.decode()
    assert f'id="code-{finding.code}"' in page and "That was me" in page and "****94" in page
    response = alice.post(
        reverse("code_answer", args=[finding.code]), {"status": "unsolicited"}, HTTP_HX_REQUEST="true"
    )
    row = response.content.decode()
    assert response.status_code == 200 and row.lstrip().startswith(f'<tr id="code-{finding.code}"')
    assert "Alice said: not me" in row
    incident = Incident.objects.get()
    assert incident.member.user == member
    event = AuditEvent.objects.get(action="triage.unsolicited")
    assert event.actor == member and event.finding == finding


def test_that_was_me_without_javascript_redirects_back(alice, member):
    finding = arrive(member, NOON)
    response = alice.post(reverse("code_answer", args=[finding.code]), {"status": "expected", "next": reverse("me")})
    assert response.status_code == 302 and response["Location"] == reverse("me")
    assert Finding.objects.get().status == Finding.Status.EXPECTED
    elsewhere = alice.post(
        reverse("code_answer", args=[finding.code]), {"status": "expected", "next": "https://evil.example/"}
    )
    assert elsewhere["Location"] == reverse("codes")


def test_a_bad_answer_gets_a_message_and_changes_nothing(alice, member):
    finding = arrive(member, NOON)
    response = alice.post(reverse("code_answer", args=[finding.code]), {"status": "deleted"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "Choose one of the two buttons" in response.content.decode()
    response = alice.post(reverse("code_answer", args=[finding.code]), {}, follow=True)
    assert "Choose one of the two buttons" in response.content.decode()
    assert Finding.objects.get().status == Finding.Status.PENDING


def test_the_sign_in_button_opens_a_15_minute_window(alice, member):
    response = alice.post(reverse("sign_in_window"), {"next": reverse("me")}, follow=True)
    assert "Sign-in window open until" in response.content.decode()
    window = SignInWindow.objects.get()
    assert timedelta(minutes=14) < window.ends_at - django_tz.now() <= timedelta(minutes=15)
    code = arrive(member, django_tz.now())
    assert code.status == Finding.Status.EXPECTED


def test_an_admin_acknowledges_assigns_and_resolves_with_a_note(client, member, other_member, household):
    arrive(member, datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc))
    incident = Incident.objects.get()
    owner = join(household, "olivia", "owner")
    sign_in(client, owner)
    url = reverse("incident_action", args=[incident.code])
    client.post(url, {"action": "acknowledge"})
    client.post(url, {"action": "assign", "assignee": str(owner.member.code)})
    refused = client.post(url, {"action": "resolve", "note": "  "}, follow=True).content.decode()
    assert "Write what was done" in refused
    bad = client.post(url, {"action": "assign", "assignee": "not-a-uuid"}, follow=True).content.decode()
    assert "Choose a member of this household" in bad
    plain = client.post(url, {"action": "assign", "assignee": str(other_member.member.code)}, follow=True)
    assert "or to the member it is about" in plain.content.decode()
    client.post(url, {"action": "assign", "assignee": str(member.member.code)})  # whose account it is
    incident.refresh_from_db()
    assert incident.assignee == member
    client.post(url, {"action": "assign", "assignee": str(owner.member.code)})
    client.post(url, {"action": "resolve", "note": "Alice changed her password and turned on 2SV."})
    incident.refresh_from_db()
    assert incident.state == Incident.State.RESOLVED and incident.assignee == owner
    assert incident.resolution_note == "Alice changed her password and turned on 2SV." and incident.resolved_at
    actions = list(incident.events.order_by("id").values_list("action", flat=True))
    assigned = ["incident.assigned"] * 3
    assert actions == ["incident.opened", "incident.acknowledged", *assigned, "incident.resolved"]
    page = client.get(reverse("incident_detail", args=[incident.code])).content.decode()
    assert "Resolved: Alice changed her password" in page and "Olivia" in page
    assert "What to do now" not in page and "Still open on" in page  # resolved: no call to act, the rest stays listed
    again = client.post(url, {"action": "acknowledge"}, follow=True).content.decode()
    assert "Only an open incident can be acknowledged" in again


def test_a_campaign_shows_a_member_only_their_own_codes(client, member, other_member):
    arrive(member, NOON)
    arrive(other_member, NOON + timedelta(minutes=10))
    campaign = Incident.objects.get(kind=Incident.Kind.CAMPAIGN)
    sign_in(client, member)
    page = client.get(reverse("incident_detail", args=[campaign.code])).content.decode()
    assert "and 1 code at other members" in page and "Bob" not in page.split("<h2>Timeline</h2>")[1].split("<h2>")[0]
    assert "Review" not in page  # members do not review


def test_incidents_list_critical_first_then_the_most_recent(client, member):
    from tests.accounts_data import LUCIA_CODE
    from tests.findings import PASSWORD_CHANGED

    night = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
    arrive(member, night, mail=LUCIA_CODE)
    arrive(member, night + timedelta(minutes=5), mail=PASSWORD_CHANGED)  # that wave: critical
    arrive(member, night + timedelta(days=3))  # a newer, medium one
    arrive(member, night + timedelta(days=1), mail=SECURITY_CODE)  # high
    sign_in(client, member)
    for url in (reverse("incidents"), reverse("me"), reverse("dashboard")):
        page = client.get(url).content.decode()
        order = [page.index(f'severity-{n}">') for n in (4, 3, 2)]
        assert order == sorted(order), url


def test_a_long_resolution_note_and_the_sign_in_window_are_each_shown_whole_and_once(client, household):
    from incidents import workflow
    from incidents.models import Incident
    from tests.people import join
    from tests.people import sign_in as signed_in

    owner = join(household, "olivia", "owner")

    at = django_tz.now()
    incident = Incident.objects.create(household=household, kind=Incident.Kind.PHISHING, member=owner.member,
                                       account_hint="x@example.org", opened_at=at, last_seen_at=at)  # fmt: skip
    note = "Changed the password and turned on two-step verification. " * 8  # about 460 characters
    workflow.resolve(incident, owner, note.strip())
    signed_in(client, owner)
    page = client.get(f"/incidents/{incident.code}/").content.decode()
    assert note.strip() in page
    after = client.post("/codes/window/", {"next": "/codes/"}, follow=True).content.decode()
    assert after.count("count as yours") == 1


def test_incidents_filter_by_person_and_severity(client, member, other_member, household):
    from tests.findings import PHISHING

    night = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
    arrive(member, night)  # medium, Alice's
    arrive(other_member, night + timedelta(hours=30), mail=SECURITY_CODE)  # high, Bob's
    arrive(other_member, night + timedelta(hours=31), mail=PHISHING)
    owner = join(household, "olivia", "owner")
    sign_in(client, owner)
    alice_only = client.get(reverse("incidents"), {"who": str(member.member.code)}).context["incidents"]
    assert {i.member_id for i in alice_only} == {member.member.pk}
    high = client.get(reverse("incidents"), {"severity": "3"}).context["incidents"]
    assert high and all(i.severity >= 3 for i in high)
    page = client.get(reverse("incidents"), {"severity": "3", "who": "junk"}).content.decode()
    assert 'aria-current="true">high or more</a>' in page and 'aria-current="true">everyone</a>' in page
    sign_in(client, member)
    assert "Person:" not in client.get(reverse("incidents")).content.decode()  # a member sees only their own
