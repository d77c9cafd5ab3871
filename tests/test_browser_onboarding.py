"""The first hour's pages in Chromium at a phone's width (390 px) and a desktop's (1280 px): the owner's
set-up checklist, the mail guide and its short phone banner, the join page, Outlook.com without a
registered app, the two-step reminder and the sign-in page at a name and at an IP address. Each has no
sideways scroll, no console error and no serious or critical axe-core fault (the page walk's checks);
screenshots land in test-artifacts/onboarding/. A passkey the browser refuses shows its reason."""

from __future__ import annotations

import json

import pytest

from tests.browser import ARTIFACTS, sign_in, watch_console
from tests.people import join
from tests.test_browser_walk import AXE, SIZES, check

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long household password 1"
NO_MICROSOFT_APP = {
    "microsoft": {"client_id": "", "tenant": "consumers", "login_url": "https://login.microsoftonline.com"}
}


@pytest.fixture
def home(settings):
    from accounts.models import Household, Invitation

    settings.EMAIL_HOST = ""  # no mail server: the banner shows, the checklist's first item is open
    settings.OAUTH = NO_MICROSOFT_APP
    household = Household.objects.create(name="Home")
    owner = join(household, "olivia", "owner", password=PASSWORD, staff=True)
    alice = join(household, "alice", "member", password=PASSWORD)
    invitation = Invitation.objects.create(household=household, email="paula@example.org", invited_by=owner)
    return {"owner": owner, "alice": alice, "invitation": invitation}


def visit(browser, base: str, who: str | None, urls: list[str], size: str, shots, report: dict, host: str = "",
          scheme: str = "light") -> dict:  # fmt: skip
    """Each url at `size`, checked and photographed; returns what each page's main said, for asserts."""
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    problems: list[str] = []
    watch_console(page, problems)
    if who:
        sign_in(page, base, who, PASSWORD)
    texts = {}
    for url in urls:
        response = page.goto(f"{host or base}{url}")
        assert response.status == 200, (who, url, response.status)
        where = "join" if url.startswith("/join/") else url.strip("/").replace("/", "_").replace("?", "_")
        name = f"{who or 'visitor'}-{size}-{scheme}-{(host and 'ip-') or ''}{where}"
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        found = check(page, problems)
        if url == "/dashboard/" and who == "olivia":
            found += check_banner(page, size)
        if found:
            report[f"{who} {size} {scheme} {host} {url}"] = found
        texts[url] = page.locator("main").inner_text()
        texts[url + " password fields"] = page.locator("main input[type=password]").count()
    context.close()
    return texts


def check_banner(page, size: str) -> list[str]:
    """The mail banner: on a phone one line with its link; on a desktop the whole reason."""
    banner = page.locator(".mail-alert")
    if not banner.is_visible():
        return ["the mail banner is missing"]
    lines = page.evaluate(
        """() => { const b = document.querySelector('.mail-alert'); const s = getComputedStyle(b);
           const inner = b.getBoundingClientRect().height - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom)
                         - parseFloat(s.borderTopWidth) - parseFloat(s.borderBottomWidth);
           return inner / parseFloat(s.lineHeight === 'normal' ? 24 : s.lineHeight); }"""
    )
    found = []
    if not banner.get_by_role("link", name="Set up mail").is_visible():
        found.append("the banner's link to the mail guide is not visible")
    if size == "phone" and lines > 1.1:
        found.append(f"the mail banner takes {lines:.1f} lines on a phone")
    if size == "desktop" and not banner.locator(".alert-more").is_visible():
        found.append("the banner's reason is hidden on a desktop")
    return found


def test_the_first_hours_pages_on_a_phone_and_a_desktop(live_server, browser, home):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make venv-test` (it runs npm ci in tests/tooling)", pytrace=False)
    shots = ARTIFACTS / "onboarding"
    shots.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    ip_base = base.replace("localhost", "127.0.0.1")
    join_url = f"/join/{home['invitation'].token()}/"
    report: dict[str, list[str]] = {}
    for size in SIZES:
        owner = visit(browser, base, "olivia", ["/dashboard/", "/household/mail/", "/mailboxes/new/?preset=outlook",
                                               "/mailboxes/microsoft-app/", "/profile/"], size, shots, report)  # fmt: skip
        alice = visit(browser, base, "alice", ["/household/mail/", "/mailboxes/new/?preset=outlook",
                                              "/mailboxes/microsoft-app/", "/profile/"], size, shots, report)  # fmt: skip
        visitor = visit(browser, base, None, [join_url, "/accounts/login/"], size, shots, report)
        at_ip = visit(browser, base, None, ["/accounts/login/"], size, shots, report, host=ip_base)

        assert "Set up OTP Dash" in owner["/dashboard/"] and "Link a mailbox" in owner["/dashboard/"]
        assert (
            "smtp.gmail.com" in owner["/household/mail/"]
            and "none (OTPDASH_SMTP_HOST is not set)" in owner["/household/mail/"]
        )
        assert "smtp.gmail.com" in alice["/household/mail/"] and "This install now" not in alice["/household/mail/"]
        for said in (owner, alice):
            assert said["/mailboxes/new/?preset=outlook password fields"] == 0  # no form that cannot work
            assert "IMAP.AccessAsUser.All" in said["/mailboxes/microsoft-app/"]
            assert "Two-step sign-in is off" in said["/profile/"]
        assert "Register OTP Dash with Microsoft" in owner["/mailboxes/new/?preset=outlook"]
        assert "ask Olivia" in alice["/mailboxes/microsoft-app/"]
        assert (
            "Olivia invited you as member" in visitor[join_url] and "asks you to link your mailbox" in visitor[join_url]
        )
        assert "Sign in with a passkey" in visitor["/accounts/login/"]
        assert visitor["/accounts/login/"].count("Forgot your password?") == 1
        assert "Sign in with a passkey" not in at_ip["/accounts/login/"]
        assert "Passkeys need this server's domain name" in at_ip["/accounts/login/"]
    # The dark theme on a phone, for the new cards, notes and settings boxes.
    visit(browser, base, "olivia", ["/dashboard/", "/household/mail/", "/mailboxes/microsoft-app/", "/profile/"],
          "phone", shots, report, scheme="dark")  # fmt: skip
    (shots / "report.json").write_text(json.dumps(report, indent=1))
    assert not report, json.dumps(report, indent=1)[:20000]


def test_the_redirect_uri_on_the_page_is_the_one_to_paste(live_server, browser, home, settings):
    settings.BASE_URL = live_server.url
    page = browser.new_page()
    sign_in(page, live_server.url, "olivia", PASSWORD)
    page.goto(f"{live_server.url}/mailboxes/microsoft-app/")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy the redirect URI").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_server.url}/mailboxes/oauth-callback/"
    assert page.get_by_label("Redirect URI of this install").input_value() == copied
    page.close()


@pytest.mark.parametrize("failure", ["no-options", "refused"])
def test_a_passkey_that_fails_says_why_on_the_page(live_server, browser, home, failure):
    """allauth's script only logs a failure to the console; the page shows it instead. Two real failures:
    the server's passkey options cannot be fetched, and the browser's authenticator refuses."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    problems: list[str] = []
    watch_console(page, problems)
    page.goto(f"{live_server.url}/accounts/login/")
    if failure == "no-options":
        page.route("**/accounts/2fa/webauthn/login/**", lambda route: route.abort())
    else:
        # A virtual authenticator that holds no passkey and declines the user check: the browser answers
        # navigator.credentials.get() with a NotAllowedError, as when a person cancels.
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {"options": {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                         "hasUserVerification": True, "isUserVerified": False, "automaticPresenceSimulation": True}},
        )  # fmt: skip
    box = page.locator("[data-passkey-error]")
    assert box.inner_text() == ""
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_function("() => document.querySelector('[data-passkey-error]').textContent.length > 0", timeout=30000)
    said = box.inner_text()
    if failure == "no-options":
        assert said.startswith("The passkey did not work.") and "TypeError" in said
    else:
        assert said.startswith("The passkey was not used") and "NotAllowedError" in said
    assert box.get_attribute("role") == "alert"
    page.screenshot(path=str(ARTIFACTS / "onboarding" / f"passkey-error-{failure}.png"), full_page=True)
    # Said on the page, so not left in the console; the aborted request is the only failure.
    assert not [p for p in problems if "passkey" in p.lower() or "NotAllowed" in p or "TypeError" in p], problems
    assert page.url.endswith("/accounts/login/")  # nothing was submitted
    context.close()
