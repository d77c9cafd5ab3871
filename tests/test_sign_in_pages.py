"""The sign-in pages in the app's words: no sign-up link (joining is by invitation), "sign-in name or
email", and a second step that says a recovery code works and offers a security key only to someone
who has one."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
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


def words(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.get("Location"))
    return " ".join(response.content.decode().split())


ALLAUTH_WORDING = ["Change Password", "Email Addresses", "Make Primary", "Re-send", "Security Keys", "Confirm Access",
                   "Deactivate", "Two-Factor", "Password Reset", "Unverified", "Are you sure"]  # fmt: skip


def test_the_account_pages_use_the_apps_words_and_lead_back(client, member):
    from tests.people import sign_in

    sign_in(client, member)
    change = words(client, reverse("account_change_password"))
    assert "<h1>Change my password</h1>" in change and '<label for="id_oldpassword">Current password</label>' in change
    assert '<label for="id_password2">New password again</label>' in change and reverse("profile") in change
    email = words(client, reverse("account_email"))
    assert (
        "<h1>Email for sign-in and alerts</h1>" in email and "alice@example.org" in email and "(main address)" in email
    )
    assert (
        "add another before you remove it" in email and '<label for="id_email">Another email address</label>' in email
    )
    keys = words(client, reverse("mfa_list_webauthn"))
    assert "<h1>Passkeys and security keys</h1>" in keys and "None added yet." in keys
    again = words(client, reverse("account_reauthenticate"))
    assert "<h1>Confirm it is you</h1>" in again and "Your password" in again
    out = words(client, reverse("account_logout"))
    assert "<h1>Sign out?</h1>" in out and "Stay signed in" in out
    for page in (change, email, keys, again, out):
        assert not [phrase for phrase in ALLAUTH_WORDING if phrase in page]


def test_the_passkey_list_shows_each_key_with_its_actions(client, member):
    """allauth's own list needed django.contrib.humanize and failed with a 500 for anyone with a key."""
    from tests.people import sign_in

    key = Authenticator.objects.create(user=member, type=Authenticator.Type.WEBAUTHN, data={"name": "Yubikey blue"})
    page = words(sign_in(client, member), reverse("mfa_list_webauthn"))
    assert '<td data-label="Name">Yubikey blue</td>' in page and "never" in page
    assert reverse("mfa_edit_webauthn", kwargs={"pk": key.pk}) in page
    assert reverse("mfa_remove_webauthn", kwargs={"pk": key.pk}) in page
    remove = words(client, reverse("mfa_remove_webauthn", kwargs={"pk": key.pk}))
    assert "<h1>Remove “Yubikey blue”?</h1>" in remove and "Keep it" in remove


def test_a_member_whose_address_is_unconfirmed_can_still_turn_on_two_step_sign_in(client, member):
    """Opening "My email addresses" records the address unconfirmed; allauth then refused two-step sign-in."""
    from tests.people import sign_in

    sign_in(client, member)
    client.get(reverse("account_email"))
    assert EmailAddress.objects.filter(user=member, verified=False).exists()
    activate = words(client, reverse("mfa_activate_totp"))
    assert "<h1>Set up two-step sign-in</h1>" in activate
    assert "Add a passkey or security key" in words(client, reverse("mfa_add_webauthn"))


def test_turning_off_and_new_recovery_codes_say_what_follows(client, member):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from tests.people import sign_in

    AllauthTOTP.activate(member, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    RecoveryCodes.activate(member)
    sign_in(client, member)
    off = words(client, reverse("mfa_deactivate_totp"))
    assert "<h1>Turn off the authenticator app?</h1>" in off and "Keep it on" in off
    fresh = words(client, reverse("mfa_generate_recovery_codes"))
    assert "the 10 unused codes you have now stop working" in fresh and "Keep the codes I have" in fresh
    for page in (off, fresh):
        assert not [phrase for phrase in ALLAUTH_WORDING if phrase in page]


def test_pages_a_stranger_may_reach_say_what_to_do_instead(client):
    closed = words(client, reverse("account_signup"))
    assert "<h1>Joining is by invitation</h1>" in closed and "Sign Up Closed" not in closed
    stale = words(client, reverse("account_confirm_email", args=["no-such-key"]))
    assert "This link no longer works" in stale and "Confirm Email Address" not in stale


def test_confirming_with_the_authenticator_app_asks_for_its_code(client, member):
    from tests.people import sign_in

    AllauthTOTP.activate(member, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    page = words(sign_in(client, member), reverse("mfa_reauthenticate"))
    assert "<h1>Confirm it is you</h1>" in page and "asks for a code from your authenticator app" in page
    assert f'action="{reverse("mfa_reauthenticate")}"' in page and "Code from your authenticator app" in page
