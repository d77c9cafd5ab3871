"""Personal API tokens on the profile page: made, shown once, stored hashed, named, last use shown, revoked."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from api.models import Token
from incidents.models import AuditEvent
from tests.api_clients import TOKEN_SHAPE, Reader, make_token
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db


def test_a_token_is_made_on_the_profile_page_and_shown_once(member):
    profile = sign_in(Client(), member)
    page = profile.get(reverse("profile")).content.decode()
    assert "API tokens" in page and "You have no API tokens." in page and reverse("api_token_create") in page
    made = profile.post(reverse("api_token_create"), {"name": "Home Assistant"})
    assert "no-store" in made["Cache-Control"]
    shown = set(TOKEN_SHAPE.findall(made.content.decode()))
    assert len(shown) == 1, "the page shows the new token"
    secret, token = shown.pop(), Token.objects.get()
    # Only its hash and a short prefix are stored: no column holds the secret.
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[: len(token.prefix)] and len(token.prefix) < 16
    stored = Token.objects.filter(pk=token.pk).values().get()
    assert all(secret not in str(value) for value in stored.values())
    again = profile.get(reverse("profile")).content.decode()
    assert "Home Assistant" in again and token.prefix in again and "never" in again
    assert secret not in again, "shown once: never again on the profile page"
    assert AuditEvent.objects.filter(action="api.token_created").exists()


def test_the_last_use_is_shown_beside_the_token(member):
    secret = make_token(member, "Grafana")
    assert Token.objects.get().last_used_at is None
    assert Reader(secret).get("/api/v1/summary").status_code == 200
    used = Token.objects.get().last_used_at
    assert used is not None
    row = sign_in(Client(), member).get(reverse("profile")).content.decode().split("Grafana", 1)[1].split("</tr>")[0]
    assert "never" not in row and used.strftime("%Y-%m-%dT%H:%M") in row


def test_a_revoked_token_is_refused_with_401_and_says_why(member):
    secret = make_token(member)
    reader = Reader(secret)
    assert reader.get("/api/v1/accounts").status_code == 200
    token = Token.objects.get()
    response = sign_in(Client(), member).post(reverse("api_token_revoke", args=[token.code]), follow=True)
    assert "no longer works" in response.content.decode()
    refused = reader.get("/api/v1/accounts")
    assert refused.status_code == 401 and refused["Content-Type"].startswith("application/json")
    assert "revoked" in refused.json()["detail"] and "profile page" in refused.json()["detail"]
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert "You have no API tokens." in sign_in(Client(), member).get(reverse("profile")).content.decode()


def test_nobody_else_revokes_a_members_token(member, household):
    secret = make_token(member)
    token = Token.objects.get()
    owner = join(household, "olivia", "owner")
    refused = sign_in(Client(), owner).post(reverse("api_token_revoke", args=[token.code]))
    assert refused.status_code == 404
    assert Reader(secret).get("/api/v1/summary").status_code == 200


def test_no_token_or_a_wrong_one_is_refused_with_words_to_act_on(member):
    make_token(member)
    anonymous = Client().get("/api/v1/findings")
    assert anonymous.status_code == 401 and "Authorization: Bearer" in anonymous.json()["detail"]
    wrong = Reader("otpd_" + "x" * 43).get("/api/v1/findings")
    assert wrong.status_code == 401 and "not known" in wrong.json()["detail"]
    basic = Client().get("/api/v1/findings", HTTP_AUTHORIZATION="Basic YWxpY2U6cHc=")
    assert basic.status_code == 401 and set(basic.json()) == {"detail"}


def test_a_token_needs_a_name(member):
    response = sign_in(Client(), member).post(reverse("api_token_create"), {"name": "  "}, follow=True)
    assert "Give the token a name" in response.content.decode()
    assert not Token.objects.exists()


def test_a_token_of_someone_who_can_no_longer_sign_in_is_refused(member):
    reader = Reader(make_token(member))
    member.is_active = False
    member.save()
    refused = reader.get("/api/v1/summary")
    assert refused.status_code == 401 and "can no longer sign in" in refused.json()["detail"]


def test_a_household_that_requires_two_step_sign_in_holds_tokens_to_it_too(member, household):
    reader = Reader(make_token(member))
    household.require_mfa = True
    household.save()
    refused = reader.get("/api/v1/summary")
    assert refused.status_code == 401 and "two-step sign-in" in refused.json()["detail"]
