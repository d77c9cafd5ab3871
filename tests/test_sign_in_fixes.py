"""The sign-in page: "Forgot your password?" once, and no passkey button where a passkey cannot work
(an IP address: WebAuthn needs a domain name), with a line that says why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.templatetags.signin import is_ip_literal
from tests.people import sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "host, ip",
    [
        ("192.168.1.10", True),
        ("192.168.1.10:8000", True),
        ("[2001:db8::1]", True),
        ("[2001:db8::1]:8000", True),
        ("[::1]:8000", True),
        ("::1", True),
        ("otp.example.org", False),
        ("otp.example.org:8443", False),
        ("localhost:8000", False),
        ("10.0.0.1.nip.io", False),
        ("", False),
    ],
)
def test_ip_literals_with_and_without_port(host, ip):
    assert is_ip_literal(host) is ip


def login_page(client, host: str) -> str:
    response = client.get(reverse("account_login"), HTTP_HOST=host)
    assert response.status_code == 200
    return response.content.decode()


def test_forgot_your_password_appears_once(client):
    page = login_page(client, "localhost")
    assert page.count("Forgot your password?") == 1
    assert page.count(f'href="{reverse("account_reset_password")}"') == 1


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "[::1]:8000", "192.168.1.10", "192.168.1.10:8000"])
def test_at_an_ip_address_no_passkey_button_and_one_line_why(client, settings, host):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "192.168.1.10"]
    page = login_page(client, host)
    assert "Sign in with a passkey" not in page and 'id="passkey_login"' not in page
    assert "webauthn.js" not in page  # no script waiting for a button that is not there
    assert "Passkeys need this server's domain name" in page
    assert 'name="password"' in page  # the password sign-in is untouched


@pytest.mark.parametrize("host", ["localhost:8000", "otp.example.org"])
def test_at_a_name_the_passkey_button_and_its_error_line(client, settings, host):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "otp.example.org"]
    page = login_page(client, host)
    assert 'id="passkey_login"' in page and "data-passkey-error" in page and "js/passkey.js" in page
    assert "Passkeys need this server's domain name" not in page


def test_adding_a_passkey_at_an_ip_address_says_why_instead_of_failing(client, member):
    sign_in(client, member)
    at_ip = client.get(reverse("mfa_add_webauthn"), HTTP_HOST="127.0.0.1:8000").content.decode()
    assert 'id="mfa_webauthn_add"' not in at_ip and "need this server's domain name" in at_ip
    assert reverse("mfa_activate_totp") in at_ip  # the way that does work there
    by_name = client.get(reverse("mfa_add_webauthn"), HTTP_HOST="localhost:8000").content.decode()
    assert 'id="mfa_webauthn_add"' in by_name and "data-passkey-error" in by_name
