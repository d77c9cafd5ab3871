"""Outlook.com before the admin registered OTP Dash with Microsoft: the preset offers no password form
(Microsoft refuses passwords for its IMAP) and leads to a page with the registration steps, the exact
redirect URI the OAuth code sends, and the settings to set; members are told whom to ask."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from django.urls import reverse

from accounts.models import Household
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db
MS = {"tenant": "consumers", "login_url": "https://login.microsoftonline.com", "redirect": False}


@pytest.fixture
def no_microsoft_app(settings):
    settings.OAUTH = {"microsoft": {**MS, "client_id": "", "client_secret": ""}, "google": {"client_id": ""}}


@pytest.fixture
def owner(household):
    return join(household, "olivia", "owner", staff=True)


def form_page(client, preset: str) -> str:
    response = client.get(reverse("mailbox_new") + f"?preset={preset}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("preset", ["outlook", "m365"])
def test_the_preset_offers_no_password_form_but_the_way_to_register(client, owner, no_microsoft_app, preset):
    sign_in(client, owner)
    page = form_page(client, preset)
    assert 'name="password"' not in page and 'name="host"' not in page and "Test connection" not in page
    assert f'href="{reverse("microsoft_app")}"' in page and "Register OTP Dash with Microsoft" in page


def test_a_member_is_told_to_ask_the_admin(client, owner, household, no_microsoft_app):
    alice = join(household, "alice")
    sign_in(client, alice)
    page = form_page(client, "outlook")
    assert 'name="password"' not in page and "ask them" in page and "See what your admin needs to do" in page
    guide = client.get(reverse("microsoft_app")).content.decode()
    assert "ask Olivia, your household's admin," in guide
    assert "New registration" in guide and "IMAP.AccessAsUser.All" in guide  # the same steps, readable


def test_other_presets_keep_their_password_form(client, owner, no_microsoft_app):
    sign_in(client, owner)
    assert 'name="password"' in form_page(client, "gmail") and 'name="password"' in form_page(client, "fastmail")
    assert 'name="password"' in client.get(reverse("mailbox_new")).content.decode()


def test_the_page_gives_the_exact_redirect_uri_the_oauth_code_sends(client, owner, settings):
    settings.BASE_URL = "https://otp.example.org"
    settings.OAUTH = {"microsoft": {**MS, "client_id": "app-1", "client_secret": "s", "redirect": True}}
    sign_in(client, owner)
    page = client.get(reverse("microsoft_app")).content.decode()
    shown = re.search(r'id="redirect-uri"[^>]*value="([^"]+)"', page).group(1)
    assert shown == "https://otp.example.org/mailboxes/oauth-callback/"
    start = client.post(
        reverse("oauth_start", args=["microsoft"]), {"label": "O", "address": "o@outlook.com", "flow": "code"}
    )
    sent = urllib.parse.parse_qs(urllib.parse.urlsplit(start.url).query)["redirect_uri"]
    assert sent == [shown]
    assert "Microsoft takes an <code>http://</code> redirect URI only" not in page


def test_the_page_names_the_steps_and_the_settings(client, owner, settings, no_microsoft_app):
    settings.BASE_URL = "http://192.168.1.10:8000"
    sign_in(client, owner)
    page = client.get(reverse("microsoft_app")).content.decode()
    for needle in (
        "App registrations",
        "New registration",
        "Personal Microsoft accounts only",
        "Accounts in any organizational directory and personal Microsoft accounts",
        "Allow public client flows",
        "IMAP.AccessAsUser.All",
        "offline_access",
        "OTPDASH_MS_CLIENT_ID=",
        "OTPDASH_MS_CLIENT_SECRET=",
        "OTPDASH_MS_REDIRECT=true",
        "OTPDASH_MS_TENANT=consumers",
        'value="http://192.168.1.10:8000/mailboxes/oauth-callback/"',
    ):
        assert needle in page, needle
    # An http address other than localhost is not taken by Microsoft: the page says so.
    assert "Microsoft takes an <code>http://</code> redirect URI only" in page
    assert "It is not set up yet" in page and "Sign in with Microsoft" in page


def test_once_registered_the_preset_and_page_lead_to_the_sign_in(client, owner, settings):
    settings.OAUTH = {"microsoft": {**MS, "client_id": "app-1", "client_secret": ""}}
    sign_in(client, owner)
    page = form_page(client, "outlook")
    assert f'href="{reverse("oauth_start", args=["microsoft"])}"' in page and 'name="password"' not in page
    guide = client.get(reverse("microsoft_app")).content.decode()
    assert "is set up on this install" in guide and reverse("oauth_start", args=["microsoft"]) in guide


def test_the_page_needs_a_signed_in_member_and_names_only_their_own_admins(client, owner, no_microsoft_app):
    response = client.get(reverse("microsoft_app"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    elsewhere = Household.objects.create(name="Next door")
    join(elsewhere, "zelda", "owner")
    bea = join(elsewhere, "bea")
    sign_in(client, bea)
    page = client.get(reverse("microsoft_app")).content.decode()
    assert "ask Zelda" in page and "Olivia" not in page


def test_editing_a_saved_mailbox_keeps_its_form_whatever_the_query_says(client, owner, no_microsoft_app):
    from mailboxes.models import Mailbox

    box = Mailbox(owner=owner, label="Mine", host="imap.example.org", username="o@example.org")
    box.set_secret("x")
    box.save()
    sign_in(client, owner)
    page = client.get(reverse("mailbox_edit", args=[box.code]) + "?preset=outlook").content.decode()
    assert 'name="password"' in page
