"""Many incidents at once (issue 24): an admin acknowledges or resolves the ticked ones with one note;
each is changed and audited once, bad input keeps the ticks and the note, households never cross."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from django.urls import reverse

from accounts.models import Household
from incidents.models import AuditEvent, Incident
from msaccounts.models import Account
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def incident(member_user, n: int, state=Incident.State.OPEN, **fields) -> Incident:
    member = member_user.member
    return Incident.objects.create(
        household_id=member.household_id,
        kind=Incident.Kind.ACCOUNT,
        member=member,
        state=state,
        opened_at=NOON,
        last_seen_at=NOON + timedelta(minutes=n),
        **fields,
    )


@pytest.fixture
def admin(household):
    return join(household, "carol", "admin")


def test_resolving_the_ticked_ones_with_one_note(client, admin, member):
    chosen = [incident(member, n) for n in range(3)]
    untouched = incident(member, 9)
    done = incident(member, 10, state=Incident.State.RESOLVED, resolution_note="earlier")
    response = sign_in(client, admin).post(
        reverse("incident_bulk"),
        {
            "incident": [str(i.code) for i in [*chosen, done]],
            "action": "resolve",
            "note": "Passwords changed after the first scan",
            "next": "/incidents/?state=all",
        },
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/incidents/?state=all"
    assert "3 incidents resolved." in page and "This incident is already resolved." in page
    assert Incident.objects.filter(pk__in=[i.pk for i in chosen], state="resolved").count() == 3
    assert set(Incident.objects.filter(pk__in=[i.pk for i in chosen]).values_list("resolution_note", flat=True)) == {
        "Passwords changed after the first scan"
    }
    assert Incident.objects.get(pk=untouched.pk).state == "open"
    assert Incident.objects.get(pk=done.pk).resolution_note == "earlier"
    assert AuditEvent.objects.filter(action="incident.resolved").count() == 3


def test_doing_it_twice_records_it_once(client, admin, member):
    chosen = [incident(member, n) for n in range(2)]
    data = {"incident": [str(i.code) for i in chosen], "action": "acknowledge"}
    client = sign_in(client, admin)
    client.post(reverse("incident_bulk"), data)
    page = client.post(reverse("incident_bulk"), data, follow=True).content.decode()
    assert "Only an open incident can be acknowledged." in page
    assert AuditEvent.objects.filter(action="incident.acknowledged").count() == 2
    assert set(Incident.objects.values_list("state", flat=True)) == {"acknowledged"}


def test_resolving_without_a_note_keeps_the_ticks_and_changes_nothing(client, admin, member):
    chosen = [incident(member, n) for n in range(2)]
    response = sign_in(client, admin).post(
        reverse("incident_bulk"),
        {"incident": [str(chosen[0].code)], "action": "resolve", "note": "  ", "next": "/incidents/?severity=2"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Write what was done (the resolution note) before resolving." in page
    assert f'value="{chosen[0].code}" form="bulk" id="tick-{chosen[0].code}" checked' in page
    assert f'value="{chosen[1].code}" form="bulk" id="tick-{chosen[1].code}" aria' in page  # not ticked
    assert 'hx-get="/incidents/?severity=2"' in page  # the refresh asks the list, not the form's address
    assert not Incident.objects.exclude(state="open").exists() and not AuditEvent.objects.exists()


def test_nothing_ticked_says_so(client, admin, member):
    incident(member, 1)
    response = sign_in(client, admin).post(reverse("incident_bulk"), {"action": "acknowledge", "incident": ["junk"]})
    assert response.status_code == 400 and "Tick at least one incident first." in response.content.decode()


def test_a_member_cannot_and_another_households_incidents_are_out_of_reach(client, admin, member):
    mine = incident(member, 1)
    assert (
        sign_in(client, member)
        .post(reverse("incident_bulk"), {"incident": [str(mine.code)], "action": "acknowledge"})
        .status_code
        == 403
    )
    stranger = join(Household.objects.create(name="Next door"), "dave", "admin")
    response = sign_in(client, stranger).post(
        reverse("incident_bulk"), {"incident": [str(mine.code)], "action": "resolve", "note": "gone"}
    )
    assert response.status_code == 400
    assert Incident.objects.get(pk=mine.pk).state == "open" and not AuditEvent.objects.exists()
    # The list shows the admin ticks; a member sees no ticks and no bulk form.
    assert 'form="bulk"' not in sign_in(client, member).get(reverse("incidents")).content.decode()
    assert 'form="bulk"' in sign_in(client, admin).get(reverse("incidents")).content.decode()


def test_the_list_filters_by_account(client, admin, member):
    first = Account.objects.create(member=member.member, address="anna@example.com", resolved=True)
    second = Account.objects.create(member=member.member, address="anna.work@example.com", resolved=True)
    a = incident(member, 1, account=first)
    b = incident(member, 2, account=second)
    client = sign_in(client, admin)
    page = client.get(reverse("incidents"), {"account": str(second.code)}).content.decode()
    assert str(b.code) in page and str(a.code) not in page
    assert f'<option value="{second.code}" selected>' in page
    everything = client.get(reverse("incidents"), {"account": "nonsense"}).content.decode()
    assert str(a.code) in everything and str(b.code) in everything
