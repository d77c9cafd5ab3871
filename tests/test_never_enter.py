"""'Never enter or read out a code you did not ask for' is acknowledged once per person, not ticked on
each account: shown once on the person's page and their accounts' pages until said, recorded in the
audit log, said once however often the button is pressed, and only by the person or an admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.models import AuditEvent
from msaccounts.models import Account
from tests.accounts_data import MARC_CODE, NIGHT, PETER_CODE, delivered_to
from tests.findings import arrive
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db
BOX = 'id="never-enter"'


def _two_accounts(user):
    arrive(user, NIGHT, mail=PETER_CODE)
    arrive(user, NIGHT, mail=delivered_to(MARC_CODE, "alice@example.org"))
    return list(Account.objects.filter(member=user.member).order_by("address"))


def test_said_once_for_all_accounts_then_never_asked_again(client, member):
    accounts = _two_accounts(member)
    assert len(accounts) == 2
    sign_in(client, member)
    me = client.get(reverse("me")).content.decode()
    assert me.count(BOX) == 1  # one person, one acknowledgement, however many accounts
    detail = reverse("account_detail", args=[accounts[0].code])
    assert client.get(detail).content.decode().count(BOX) == 1

    response = client.post(reverse("acknowledge_codes"), {"member": str(member.member.code), "next": detail})
    assert response.status_code == 302 and response.url == detail
    member.member.refresh_from_db()
    assert member.member.codes_acknowledged_at is not None
    assert BOX not in client.get(reverse("me")).content.decode()
    for account in accounts:
        page = client.get(reverse("account_detail", args=[account.code])).content.decode()
        assert BOX not in page and "acknowledged “Never enter or read out a code you did not ask for” on" in page
    (event,) = AuditEvent.objects.filter(action="codes.acknowledged")
    assert event.summary == "Alice: “Never enter or read out a code you did not ask for” acknowledged"
    assert event.actor_name == "Alice"

    client.post(reverse("acknowledge_codes"), {"next": detail})  # a second tab, a double click: nothing more
    assert AuditEvent.objects.filter(action="codes.acknowledged").count() == 1


def test_an_admin_may_say_it_for_a_member_and_another_member_may_not(client, member, other_member, household):
    _two_accounts(member)
    sign_in(client, other_member)
    refused = client.post(reverse("acknowledge_codes"), {"member": str(member.member.code)}, follow=True)
    assert "Only the person or an admin of the household can acknowledge this for them." in refused.content.decode()
    member.member.refresh_from_db()
    assert member.member.codes_acknowledged_at is None

    owner = join(household, "olivia", "owner")
    sign_in(client, owner)
    detail = reverse("account_detail", args=[Account.objects.filter(member=member.member).first().code])
    page = client.get(detail).content.decode()
    assert "Alice understands: I told them" in page
    done = client.post(reverse("acknowledge_codes"), {"member": str(member.member.code), "next": detail}, follow=True)
    assert "Acknowledged for Alice" in done.content.decode()
    assert AuditEvent.objects.get(action="codes.acknowledged").summary.endswith("acknowledged, on Alice's behalf")
    # The owner's own acknowledgement is still theirs to give.
    assert client.get(reverse("me")).content.decode().count(BOX) == 1


def test_bad_input_says_what_is_wrong_and_records_nothing(client, member, household):
    from accounts.models import Household

    outsider = join(Household.objects.create(name="Next door"), "xavier", "admin")
    sign_in(client, member)
    for code in ("not-a-code", str(outsider.member.code)):
        page = client.post(reverse("acknowledge_codes"), {"member": code}, follow=True).content.decode()
        assert "That person is not in your household: nothing was recorded." in page
    assert client.post(reverse("acknowledge_codes"), {"next": "https://evil.example/"}).url == reverse("me")
    assert client.get(reverse("acknowledge_codes")).status_code == 405
    outsider.member.refresh_from_db()
    assert outsider.member.codes_acknowledged_at is None
    assert AuditEvent.objects.filter(action="codes.acknowledged").count() == 1  # only Alice's own, just now
