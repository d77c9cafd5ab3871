"""CSP without unsafe-inline/eval and pages that need neither; CSRF on forms; `check --deploy` clean."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.findings import arrive
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def admin_client(household, member):
    from datetime import datetime, timezone

    arrive(member, datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc))
    return sign_in(Client(), join(household, "olivia", "owner", staff=True))


def pages(admin_client):
    from incidents.models import Incident

    incident = Incident.objects.get()
    urls = [
        reverse(name)
        for name in (
            "dashboard",
            "me",
            "codes",
            "incidents",
            "people",
            "profile",
            "mailboxes",
            "mailbox_new",
            "audit_log",
            "mfa_index",
            "mfa_activate_totp",
            "mfa_add_webauthn",
            "account_change_password",
            "admin:index",
        )
    ]
    urls.append(reverse("incident_detail", args=[incident.code]))
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        yield url, response


def test_every_page_carries_a_strict_csp_and_needs_nothing_inline(admin_client):
    for url, response in pages(admin_client):
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            # Only scripts from our origin, or JSON data blocks (never executed).
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"<style\b", html), url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url
        assert "javascript:" not in html, url


def test_htmx_runs_without_eval_and_injected_styles(client, member):
    html = client.get(reverse("account_login")).content.decode()
    assert '"allowEval": false' in html and '"includeIndicatorStyles": false' in html


def test_forms_are_refused_without_the_csrf_token(member):
    client = sign_in(Client(enforce_csrf_checks=True), member)
    assert client.post(reverse("sign_in_window")).status_code == 403
    assert client.post(reverse("profile"), {"display_name": "x"}).status_code == 403


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTPDASH_")}
    env.update(OTPDASH_DATA_DIR=str(tmp_path), OTPDASH_HTTPS="true", OTPDASH_ALLOWED_HOSTS="otp.example.org")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def production_setting(tmp_path, expression: str, https: str = "true") -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTPDASH_")}
    env.update(OTPDASH_DATA_DIR=str(tmp_path), OTPDASH_HTTPS=https, DJANGO_SETTINGS_MODULE="otpdash.settings")
    code = f"import django; django.setup(); from django.conf import settings as s; print({expression})"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_https_turns_on_secure_cookies_hsts_and_the_redirect(tmp_path):
    expression = "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS"
    assert production_setting(tmp_path, expression) == "True True True 31536000"
    assert production_setting(tmp_path, expression, https="false") == "False False False 0"
