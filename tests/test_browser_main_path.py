"""The main path in a real browser: owner, TOTP, invitation, a member's Dovecot mailbox, a code, "Not me",
and the admin resolving the incident. Screenshots land in test-artifacts/."""

from __future__ import annotations

import base64
import time
from datetime import datetime, timedelta
from datetime import timezone as tz

import pytest
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from django_q.conf import Conf

from tests.browser import ARTIFACTS, watch_console
from tests.findings import with_date
from tests.mailgen import code_mail

pytestmark = pytest.mark.django_db(transaction=True)


def totp_now(secret: str) -> str:
    padded = secret + "=" * (-len(secret) % 8)
    return TOTP(base64.b32decode(padded), 6, SHA1(), 30, enforce_key_length=False).generate(time.time()).decode()


def daytime_today() -> datetime:
    """Noon UTC of the latest day whose noon has passed: outside default quiet hours, so the rules leave it pending."""
    now = datetime.now(tz.utc)
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    return noon if noon <= now else noon - timedelta(days=1)


def test_owner_member_code_not_me_and_resolution(live_server, browser, dovecot, monkeypatch):
    from allauth.mfa.models import Authenticator

    from incidents.models import Incident

    monkeypatch.setattr(Conf, "SYNC", True)  # "Scan now" runs its task at once, inside the live server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    url = live_server.url

    # The owner sets up a fresh install and protects it with TOTP.
    owner_ctx = browser.new_context()
    owner = owner_ctx.new_page()
    watch_console(owner, problems)
    owner.goto(url + "/")
    owner.get_by_label("Household name").fill("The Webers")
    owner.get_by_label("Your name").fill("Olivia")
    owner.get_by_label("Sign-in name").fill("olivia")
    owner.get_by_label("Email address").fill("olivia@example.org")
    owner.locator("#id_password1").fill("correct horse battery staple")
    owner.locator("#id_password2").fill("correct horse battery staple")
    owner.get_by_role("button", name="Create the owner account").click()
    owner.wait_for_url("**/2fa/totp/activate/")
    secret = owner.locator("#authenticator_secret").input_value()
    owner.locator("input[name=code]").fill(totp_now(secret))
    with owner.expect_navigation():
        owner.get_by_role("button", name="Turn it on").click()
    assert Authenticator.objects.filter(user__username="olivia", type="totp").exists()
    # Setting up ends on the recovery codes, with the way on.
    assert owner.get_by_role("heading", name="Recovery codes").is_visible()
    assert owner.get_by_role("link", name="Done: go to the dashboard").is_visible()
    owner_ctx.grant_permissions(["clipboard-read", "clipboard-write"])
    owner.get_by_role("button", name="Copy the codes").click()
    owner.get_by_role("button", name="Copied").wait_for()
    codes = owner.evaluate("navigator.clipboard.readText()")
    assert codes == owner.locator("#recovery_codes").input_value() and len(codes.split()) == 10

    # The owner invites Alice.
    owner.goto(url + "/household/")
    owner.get_by_label("Their email address").fill("alice@example.org")
    owner.get_by_role("button", name="Make an invitation link").click()
    link = owner.locator("#invitation-link").input_value()
    assert "/join/" in link

    # Alice joins in her own browser and links her Dovecot mailbox.
    alice_ctx = browser.new_context()
    alice = alice_ctx.new_page()
    watch_console(alice, problems)
    alice.goto(link)
    alice.get_by_label("Your name").fill("Alice")
    alice.get_by_label("Sign-in name").fill("alice")
    alice.locator("#id_password1").fill("alice has a long password 7")
    alice.locator("#id_password2").fill("alice has a long password 7")
    alice.get_by_role("button", name="Create my account").click()
    alice.wait_for_url("**/me/")
    alice.get_by_role("link", name="Link a mailbox").first.click()
    alice.get_by_label("Label").fill("Alice at home")
    alice.get_by_label("IMAP server").fill("127.0.0.1")
    alice.get_by_label("Port").fill(str(dovecot.imaps_port))
    alice.get_by_label("User name").fill("alice")
    alice.locator("#id_password").fill(dovecot.users["alice"])
    alice.get_by_text("Advanced: folders, schedule, a private certificate").click()  # folded away by default
    alice.get_by_label("Trust this CA certificate").fill(dovecot.ca_file.read_text())
    alice.get_by_role("button", name="Test connection").click()
    alice.get_by_text("Everything works").wait_for()
    alice.get_by_role("button", name="Save").click()
    alice.wait_for_url("**/mailboxes/")

    # A real Microsoft code mail arrives; a scan finds it; Alice says "Not me" (htmx swaps the row).
    dovecot.append([with_date(code_mail(1), daytime_today())])
    alice.get_by_role("button", name="Scan now").click()
    alice.goto(url + "/codes/")
    row = alice.locator("tr.code-row")
    assert row.count() == 1 and "waiting for you" in row.inner_text() and "****94" in row.inner_text()
    row.get_by_role("button", name="Not me").click()
    alice.locator("tr.code-row.status-unsolicited").wait_for()
    assert "Alice said: not me" in alice.locator("tr.code-row").inner_text()
    assert alice.url.endswith("/codes/")  # htmx answered in place, no page load
    alice.screenshot(path=str(ARTIFACTS / "codes.png"), full_page=True)

    # The owner sees the incident on the dashboard, opens it and resolves it.
    owner.goto(url + "/dashboard/")
    owner.get_by_role("heading", name="Codes per day").wait_for()
    assert owner.locator("svg.bars rect").count() == 1
    owner.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    owner.get_by_role("link", name="Attack on Alice's account").first.click()
    owner.get_by_role("heading", name="Timeline").wait_for()
    owner.screenshot(path=str(ARTIFACTS / "incident.png"), full_page=True)
    owner.get_by_label("Resolution note").fill("Alice changed her Microsoft password and turned on 2SV.")
    owner.get_by_role("button", name="Resolve").click()
    owner.locator("p.note", has_text="Resolved: Alice changed her Microsoft password").wait_for()
    incident = Incident.objects.get()
    assert incident.state == "resolved"
    assert list(incident.events.order_by("id").values_list("action", flat=True)) == [
        "incident.opened",
        "incident.resolved",
    ]

    assert problems == [], problems  # no CSP violation, no script error on any page
    for shot in ("dashboard.png", "incident.png"):
        assert (ARTIFACTS / shot).stat().st_size > 10_000
