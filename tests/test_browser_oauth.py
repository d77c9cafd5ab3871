"""In a real browser: a member links an Outlook.com-style mailbox by device code and a Gmail-style one
by the authorization-code flow, both at a local authorization server; the scanner reads both over
XOAUTH2 from Dovecot; a revoked grant shows "reconnect needed" and its button signs in again."""

from __future__ import annotations

import json
import time

import pytest
from django_q.conf import Conf

from mailboxes.models import Mailbox
from otpdash import secretbox
from scanner.models import Finding
from tests.browser import ARTIFACTS, sign_in, watch_console
from tests.dovecot import MISSING, Dovecot, dovecot_binary
from tests.mailgen import code_mail
from tests.oauth_server import OAuthServer
from tests.people import join

pytestmark = pytest.mark.django_db(transaction=True)
OUTLOOK, GMAIL = "alice@outlook.test", "alice@gmail.test"
PASSWORD = "alice has a long password 7"


def test_both_flows_in_the_browser_then_a_revoked_grant_and_reconnect(
    live_server, browser, settings, tmp_path, monkeypatch
):
    if dovecot_binary() is None:
        pytest.fail(MISSING, pytrace=False)
    from accounts.models import Household

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    settings.BASE_URL = live_server.url
    with OAuthServer() as oauth:
        dovecot = Dovecot(
            {OUTLOOK: "seed-1-password", GMAIL: "seed-2-password"}, extra_config=oauth.dovecot_config(tmp_path)
        ).start()
        try:
            settings.OAUTH = {
                "microsoft": {"client_id": "otpdash-test", "client_secret": "", "tenant": "consumers",
                              "login_url": oauth.url, "imap_host": "127.0.0.1", "imap_port": dovecot.imaps_port},
                "google": {"client_id": "otpdash-google", "client_secret": "google-secret-1",
                           "authorize_url": f"{oauth.url}/google/authorize", "token_url": f"{oauth.url}/google/token",
                           "imap_host": "127.0.0.1", "imap_port": dovecot.imaps_port},
            }  # fmt: skip
            home = Household.objects.create(name="Home")
            alice = join(home, "alice", "member", password=PASSWORD)
            problems: list[str] = []
            page = browser.new_page()
            watch_console(page, problems)
            sign_in(page, live_server.url, "alice", PASSWORD)

            # Outlook.com: the preset offers Microsoft's sign-in; the device code is typed at the provider.
            page.goto(f"{live_server.url}/mailboxes/new/?preset=outlook")
            page.get_by_role("link", name="Sign in with Microsoft").click()
            page.get_by_label("Label").fill("Outlook")
            page.get_by_label("Email address").fill(OUTLOOK)
            page.get_by_role("button", name="Sign in with Microsoft").click()
            # The code is carried over as a person on a phone would: the Copy button, then paste.
            page.context.grant_permissions(["clipboard-read", "clipboard-write"])
            page.get_by_role("button", name="Copy the code").click()
            page.get_by_role("button", name="Copied").wait_for()
            user_code = page.evaluate("navigator.clipboard.readText()")
            assert user_code == page.locator("#user-code").inner_text() and len(user_code) >= 8
            provider_page = browser.new_page()  # "on any phone or computer"
            provider_page.goto(page.get_by_role("link", name=f"{oauth.url}/device").get_attribute("href"))
            provider_page.get_by_label("Code").fill(user_code)
            provider_page.get_by_label("Email").fill(OUTLOOK)
            provider_page.get_by_role("button", name="Allow").click()
            page.wait_for_url("**/mailboxes/", timeout=15000)  # the waiting page moved on by itself

            # Gmail: the authorization-code flow, away to the provider and back.
            page.goto(f"{live_server.url}/mailboxes/new/?preset=gmail")
            page.get_by_role("link", name="Sign in with Google").click()
            page.get_by_label("Label").fill("Gmail")
            page.get_by_label("Email address").fill(GMAIL)
            page.get_by_role("button", name="Sign in with Google").click()
            page.get_by_role("heading", name="Allow OTP Dash?").wait_for()
            page.get_by_label("Email").fill(GMAIL)
            page.get_by_role("button", name="Allow").click()
            page.wait_for_url("**/mailboxes/")
            assert sorted(Mailbox.objects.values_list("auth", "username")) == [
                ("google", GMAIL),
                ("microsoft", OUTLOOK),
            ]

            # Both are read over XOAUTH2 (the local Dovecot's CA is trusted here; the real providers' are public).
            Mailbox.objects.update(ca_certificate=dovecot.ca_file.read_text())
            dovecot.append([code_mail(1)], user=OUTLOOK)
            dovecot.append([code_mail(2)], user=GMAIL)
            monkeypatch.setattr(Conf, "SYNC", True)  # Scan now runs its task at once, inside the live server
            page.reload()
            for button in page.get_by_role("button", name="Scan now").all():
                with page.expect_navigation():  # the POST, the scan (run at once here) and the redirect back
                    button.click()
            assert Finding.objects.filter(owner=alice).count() == 2
            assert set(Mailbox.objects.values_list("state", flat=True)) == {"ok"}
            page.screenshot(path=str(ARTIFACTS / "oauth-mailboxes.png"), full_page=True)

            # The provider withdraws the grant: the next scan says "reconnect needed"; the button fixes it.
            outlook = Mailbox.objects.get(auth="microsoft")
            token = json.loads(secretbox.unseal(outlook.secret_sealed))
            token["expires_at"] = int(time.time())
            Mailbox.objects.filter(pk=outlook.pk).update(secret_sealed=secretbox.seal(json.dumps(token)))
            oauth.revoke_all()
            page.goto(f"{live_server.url}/mailboxes/")
            with page.expect_navigation():
                page.locator("tr", has_text="Outlook").get_by_role("button", name="Scan now").click()
            page.goto(f"{live_server.url}/mailboxes/")
            row = page.locator("tr", has_text="Outlook")
            assert "reconnect needed" in row.inner_text()
            row.get_by_role("button", name="Reconnect").click()
            user_code = page.locator("#user-code").inner_text()
            provider_page.goto(f"{oauth.url}/device")
            provider_page.get_by_label("Code").fill(user_code)
            provider_page.get_by_label("Email").fill(OUTLOOK)
            provider_page.get_by_role("button", name="Allow").click()
            page.wait_for_url("**/mailboxes/", timeout=15000)
            assert Mailbox.objects.get(pk=outlook.pk).state == "ok"  # signed in again, and scanned
            assert problems == []
        finally:
            dovecot.destroy()
