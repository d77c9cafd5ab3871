"""Every form, fed junk by a signed-in owner: a clear answer, never a server error, nothing half-saved."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Household, Invitation, Member
from incidents.models import Incident
from tests.findings import arrive
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db
JUNK = [
    {},
    {"status": "x" * 5000, "action": "\x00", "note": "\x00" * 10, "role": "owner", "assignee": "' OR 1=1 --"},
    {
        "email": "\x00@example.org",
        "name": "",
        "display_name": "\x00",
        "time_zone": "../../etc/passwd",
        "quiet_start": "99:99",
        "addresses": "a@b\x00",
        "next": "javascript:alert(1)",
        "require_mfa": "maybe",
    },
    {"role": ["admin", "member"], "email": ["a@example.org", "b@example.org"], "action": "resolve", "note": " "},
]


@pytest.fixture
def owner_client(household):
    owner = join(household, "olivia", "owner", staff=True)
    bob = join(household, "bob")
    arrive(bob, datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc))
    arrive(owner, datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc))
    Invitation.objects.create(household=household, email="new@example.org")
    return sign_in(Client(raise_request_exception=False), owner)


def post_urls():
    from scanner.models import Finding

    bob = Member.objects.get(display_name="Bob")
    return [
        reverse("profile"),
        reverse("invite"),
        reverse("household_settings"),
        reverse("sign_in_window"),
        reverse("invitation_revoke", args=[Invitation.objects.get().code]),
        reverse("member_role", args=[bob.code]),
        reverse("member_remove", args=[bob.code]),
        reverse("incident_action", args=[Incident.objects.get().code]),
        reverse("code_answer", args=[Finding.objects.get(owner__username="olivia").code]),
        reverse("mailbox_new"),
        reverse("mailbox_test"),
        reverse("setup"),
        reverse("join", args=["not-a-token"]),
    ]


@pytest.mark.parametrize("junk", range(len(JUNK)))
def test_junk_gets_an_answer_not_a_server_error(owner_client, junk):
    household = Household.objects.get()
    for url in post_urls():
        response = owner_client.post(url, JUNK[junk])
        assert response.status_code < 500, (url, JUNK[junk], response.status_code)
        if response.status_code == 302:
            assert not response["Location"].startswith("javascript:"), url
    household.refresh_from_db()
    assert household.name == "Home" and Member.objects.filter(role="owner").count() == 1
    assert not any("\x00" in m.display_name for m in Member.objects.all())  # (PostgreSQL cannot even be asked)
