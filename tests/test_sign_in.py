"""Sign-in through allauth: rate limits kept in the database cache, TOTP as a second step, passkeys offered."""

from __future__ import annotations

import base64
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP as AllauthTOTP
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_failed_sign_ins_are_rate_limited_in_the_database_cache(client, member):
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": "alice", "password": "wrong password"})
        assert response.status_code == 200 and "not correct" in response.content.decode()
    blocked = client.post(reverse("account_login"), {"login": "alice", "password": "a long household password 1"})
    assert "Too many failed login attempts" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM otpdash_cache")
        assert cursor.fetchone()[0] > 0  # the counters live in the shared database, not in one process


def test_totp_is_asked_after_the_password(client, member):
    from allauth.mfa.models import Authenticator

    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    AllauthTOTP.activate(member, secret)
    assert Authenticator.objects.filter(user=member, type="totp").exists()
    response = client.post(reverse("account_login"), {"login": "alice", "password": "a long household password 1"})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not signed in with the password alone
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    code = TOTP(base64.b32decode(secret), 6, SHA1(), 30).generate(time.time()).decode()
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_sign_in_page_offers_passkeys_under_the_strict_csp(client, member):
    response = client.get(reverse("account_login"))
    page = response.content.decode()
    assert "passkey" in page.lower()
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_nobody_can_sign_up_on_their_own(client, member):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200 and "Joining is by invitation" in response.content.decode()
    form = {
        "username": "eve",
        "email": "eve@example.org",
        "password1": "x long password 12",
        "password2": "x long password 12",
    }
    assert client.post(reverse("account_signup"), form).status_code == 200
    assert not get_user_model().objects.filter(username="eve").exists()


def test_setting_up_totp_also_gives_recovery_codes_and_they_sign_in(client, member):
    from allauth.mfa.models import Authenticator

    from tests.people import sign_in

    sign_in(client, member)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    code = (
        TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)), 6, SHA1(), 30, enforce_key_length=False)
        .generate(time.time())
        .decode()
    )
    assert client.post(reverse("mfa_activate_totp"), {"code": code}).status_code == 302
    assert set(Authenticator.objects.filter(user=member).values_list("type", flat=True)) == {"totp", "recovery_codes"}
    recovery = Authenticator.objects.get(user=member, type="recovery_codes").wrap().get_unused_codes()[0]
    client.post(reverse("account_logout"))
    client.post(reverse("account_login"), {"login": "alice", "password": "a long household password 1"})
    response = client.post(reverse("mfa_authenticate"), {"code": recovery})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def _sign_in_from(client, address: str, password: str, **headers):
    return client.post(
        reverse("account_login"), {"login": "alice", "password": password}, REMOTE_ADDR=address, **headers
    )


GOOD = "a long household password 1"


def test_an_attacker_elsewhere_does_not_lock_the_owner_out(client, member):
    for _ in range(6):
        _sign_in_from(client, "203.0.113.7", "wrong password")
    assert "Too many failed" in _sign_in_from(client, "203.0.113.7", GOOD).content.decode()
    assert _sign_in_from(client, "198.51.100.20", GOOD).status_code == 302  # the owner, at home


def test_a_successful_sign_in_clears_the_accounts_counter(client, member):
    for _ in range(4):
        _sign_in_from(client, "198.51.100.20", "typo password")
    assert _sign_in_from(client, "198.51.100.20", GOOD).status_code == 302
    client.post(reverse("account_logout"))
    for _ in range(4):  # four more typos are allowed again, not one
        assert "not correct" in _sign_in_from(client, "198.51.100.20", "typo password").content.decode()
    assert _sign_in_from(client, "198.51.100.20", GOOD).status_code == 302


def test_a_spread_out_attack_on_one_account_is_capped(client, member, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed_account": "8/h/key"}
    for n in range(8):
        _sign_in_from(client, f"203.0.113.{n + 1}", "wrong password")
    assert "Too many failed" in _sign_in_from(client, "203.0.113.99", "wrong password").content.decode()


def test_forwarded_for_is_read_only_from_trusted_proxies(client, member, settings):
    for _ in range(6):
        _sign_in_from(client, "10.0.0.5", "wrong password", HTTP_X_FORWARDED_FOR="203.0.113.7")
    # Not a trusted proxy: the header is ignored, so every visitor of that "proxy" is one client.
    assert (
        "Too many failed"
        in _sign_in_from(client, "10.0.0.5", GOOD, HTTP_X_FORWARDED_FOR="198.51.100.20").content.decode()
    )
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert _sign_in_from(client, "10.0.0.5", GOOD, HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 302
    client.post(reverse("account_logout"))
    for _ in range(6):
        _sign_in_from(client, "10.0.0.5", "wrong password", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.9")
    # Forged left-most entries do not help the attacker: the right-most untrusted hop is the client.
    forged = _sign_in_from(client, "10.0.0.5", GOOD, HTTP_X_FORWARDED_FOR="198.51.100.20, 203.0.113.7")
    assert "Too many failed" in forged.content.decode()
