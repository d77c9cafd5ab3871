"""The sign-in pages in the app's words: no sign-up link (joining is by invitation), "sign-in name or
email", and a second step that says a recovery code works and offers a security key only to someone
who has one."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP as AllauthTOTP
from django.urls import reverse

pytestmark = pytest.mark.django_db
PASSWORD = "a long household password 1"


def test_the_sign_in_page_speaks_plainly_and_has_no_sign_up_link(client):
    page = client.get(reverse("account_login")).content.decode()
    assert '<label for="id_login">Sign-in name or email</label>' in page
    assert "Keep me signed in on this device" in page
    assert reverse("account_signup") not in page and "sign up" not in page.lower()
    assert "Login:" not in page and "Remember Me" not in page
    assert "joined by invitation" in page and reverse("account_reset_password") in page


def second_step(client, member):
    AllauthTOTP.activate(member, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client.post(reverse("account_login"), {"login": member.username, "password": PASSWORD})
    return client.get(reverse("mfa_authenticate")).content.decode()


def test_the_second_step_says_a_recovery_code_works_and_offers_no_key_to_someone_without_one(client, member):
    page = second_step(client, member)
    assert "<h1>Two-step sign-in</h1>" in page and "recovery codes works here too" in page
    assert "Two-Factor" not in page
    assert "security key" not in page.lower()
    assert "Cancel and go back" in page


def test_the_second_step_knows_who_has_a_security_key(member):
    """The page shows the key button when this is true (a page with a stored key needs a real credential,
    which a test cannot make without an authenticator)."""
    from accounts.signin_forms import SecondStepForm

    assert not SecondStepForm(user=member).has_security_key
    Authenticator.objects.create(user=member, type=Authenticator.Type.WEBAUTHN, data={"name": "key"})
    assert SecondStepForm(user=member).has_security_key


def test_the_two_step_page_speaks_of_two_step_sign_in_and_leads_back(client, member):
    from tests.people import sign_in

    page = sign_in(client, member).get(reverse("mfa_index")).content.decode()
    assert "<h1>Two-step sign-in</h1>" in page and "Two-Factor" not in page
    assert "Set up the authenticator app" in page and reverse("dashboard") in page
