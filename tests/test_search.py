"""Search over a person's findings and incidents: by address, every word of a subject, or sender, in
any case; scoped exactly as the codes and incidents pages are (a member their own, an admin the
household with who=all, never another household); bad input answered in words; results paged."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Household
from incidents.models import Incident
from scanner.models import Finding
from tests.accounts_data import MARC_CODE, NIGHT
from tests.findings import PHISHING, SINGLE_USE, arrive
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def found(client, **params) -> set[str]:
    """The finding codes a search's result page links to."""
    response = client.get(reverse("search"), params)
    assert response.status_code == 200, response.content.decode()[:500]
    return set(re.findall(r"/codes/([0-9a-f-]{36})/", response.content.decode()))


def incidents_found(client, **params) -> set[str]:
    response = client.get(reverse("search"), {**params, "in": "incidents"})
    assert response.status_code == 200
    return set(re.findall(r"/incidents/([0-9a-f-]{36})/", response.content.decode()))


@pytest.fixture
def mail(member, other_member):
    """Alice: a single-use code (Anna's mail), a security code for ma**s@, a lookalike; Bob the same
    single-use code mail, so a search that leaked across people would show it."""
    return {
        "single": arrive(member, NOON, mail=SINGLE_USE),
        "security": arrive(member, NOON + timedelta(minutes=5), mail=MARC_CODE),
        "lookalike": arrive(member, NOON + timedelta(minutes=9), mail=PHISHING),
        "bobs": arrive(other_member, NOON, mail=SINGLE_USE),
    }


def test_every_word_of_the_subject_must_match_in_any_case(client, member, mail):
    alice = sign_in(client, member)
    assert found(alice, q="SECURITY code") == {str(mail["security"].code)}
    assert found(alice, q="single-USE Code") == {str(mail["single"].code), str(mail["lookalike"].code)}
    assert found(alice, q="security single-use") == set()  # no mail has both words
    assert found(alice, q='"account security"') == {str(mail["security"].code)}  # quotes are not part of a word


def test_search_by_address_and_by_sender(client, member, mail):
    alice = sign_in(client, member)
    assert found(alice, q="ma**s@example") == {str(mail["security"].code)}  # the account Microsoft names
    assert found(alice, q="marc.dubois@") == {str(mail["security"].code)}  # where it was delivered
    # The lookalike's sender differs from Microsoft's by one character: its domain finds it alone.
    assert found(alice, q="accountprotection-microsoft.com") == {str(mail["lookalike"].code)}
    assert found(alice, q="accountprotection.microsoft.com") == {str(mail["single"].code), str(mail["security"].code)}
    assert mail["lookalike"].sender.endswith("<account-security-noreply@accountprotection-microsoft.com>")


def test_results_show_masked_codes_only(client, member, mail):
    page = sign_in(client, member).get(reverse("search"), {"q": "single-use"}).content.decode()
    assert "****94" in page and "486894" not in page  # the mail's code is 486894; only its mask is stored
    assert "From Microsoft account team" in page


def test_a_member_sees_only_their_own_even_asking_for_everyone(client, member, other_member, mail):
    alice = sign_in(client, member)
    assert str(mail["bobs"].code) not in found(alice, q="single-use", who="all")
    bob = sign_in(Client(), other_member)
    assert found(bob, q="single-use") == {str(mail["bobs"].code)}


def test_an_admin_searches_the_household_with_who_all_and_never_another_household(client, member, household, mail):
    owner = join(household, "olivia", "owner")
    mine = arrive(owner, NOON, mail=SINGLE_USE)
    olivia = sign_in(client, owner)
    assert found(olivia, q="single-use") == {str(mine.code)}  # her own, as the codes page without who=all
    everyone = found(olivia, q="single-use", who="all")
    assert everyone == {str(mine.code), str(mail["single"].code), str(mail["lookalike"].code), str(mail["bobs"].code)}
    next_door = Household.objects.create(name="Next door")
    nina = sign_in(Client(), join(next_door, "nina", "owner"))
    assert found(nina, q="single-use", who="all") == set()
    assert incidents_found(nina, q="ma**s") == set()


def test_incidents_are_found_by_their_codes_and_address_as_the_person_may_see_them(client, member, other_member):
    arrive(member, NIGHT, mail=MARC_CODE)  # in quiet hours: not theirs, an incident opens
    arrive(other_member, NIGHT + timedelta(days=3), mail=SINGLE_USE)
    alices = Incident.objects.get(member=member.member)
    bobs = Incident.objects.get(member=other_member.member)
    alice = sign_in(client, member)
    assert incidents_found(alice, q="security code") == {str(alices.code)}
    assert incidents_found(alice, q="ma**s@example.org") == {str(alices.code)}
    assert incidents_found(alice, q="single-use") == set()  # Bob's incident is Bob's
    page = alice.get(reverse("search"), {"q": "security code"}).content.decode()
    assert "Incidents (1)" in page and "Codes and mail (1)" in page
    owner = sign_in(Client(), join(member.member.household, "olivia", "owner"))
    assert incidents_found(owner, q="single-use", who="all") == {str(bobs.code)}


def test_empty_short_and_long_queries_are_answered_in_words(client, member, mail):
    alice = sign_in(client, member)
    empty = alice.get(reverse("search"))
    assert empty.status_code == 200 and "Type an address, a few words of a subject" in empty.content.decode()
    short = alice.get(reverse("search"), {"q": " a "})
    assert short.status_code == 400 and "Type at least 2 letters or digits" in short.content.decode()
    assert alice.get(reverse("search"), {"q": '""'}).status_code == 400
    long = alice.get(reverse("search"), {"q": "security " + "x" * 5000})
    page = long.content.decode()
    assert long.status_code == 200 and "only its first 200 characters were used" in page
    value = re.search(r'name="q" value="([^"]*)"', page).group(1)
    assert len(value) == 200
    many = alice.get(reverse("search"), {"q": "code " * 3 + " ".join(f"w{n}" for n in range(12))})
    assert "Only the first words were used; left out: w7 w8 w9 w10 w11." in many.content.decode()


def test_results_are_paged(client, member):
    Finding.objects.bulk_create(
        Finding(owner=member, message_key=f"page-{n}", subject=f"Your single-use code {n}", category="ms_code",
                sender_auth="pass", arrived_at=NOON - timedelta(minutes=n))
        for n in range(57)
    )  # fmt: skip
    alice = sign_in(client, member)
    first = alice.get(reverse("search"), {"q": "single-use"}).content.decode()
    assert "1–50 of 57" in first and len(found(alice, q="single-use")) == 50
    second = alice.get(reverse("search"), {"q": "single-use", "page": "2"}).content.decode()
    assert "51–57 of 57" in second and len(set(re.findall(r"/codes/([0-9a-f-]{36})/", second))) == 7
    assert "q=single-use" in second  # the pager's links keep the search


def test_search_needs_a_member(client, django_user_model):
    response = client.get(reverse("search"), {"q": "code"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    loner = django_user_model.objects.create_user("loner", password="a long password for loner 1")
    assert sign_in(client, loner).get(reverse("search"), {"q": "code"}).status_code == 403


def test_the_menu_and_the_lists_lead_to_search(client, member):
    alice = sign_in(client, member)
    for name in ("codes", "incidents"):
        assert f'href="{reverse("search")}' in alice.get(reverse(name)).content.decode()
