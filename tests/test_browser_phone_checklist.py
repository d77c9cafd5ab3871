"""In Chromium at a phone's size (390×844) and a desktop's (1280×800): the people × steps matrix is one
card per account on a phone (next step, "n of 6") and the table on a desktop, with no sideways
scrolling and no serious or critical axe-core fault; a work or school account links Microsoft
Entra's pages and never account.live.com; "never enter a code" shows once and goes when said.
Screenshots land in test-artifacts/phone-checklist/."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as tz

import pytest

from tests.accounts_data import LUCIA_CODE, PETER_CODE, delivered_to
from tests.browser import ARTIFACTS, sign_in, watch_console
from tests.corpus_labels import CORPUS
from tests.findings import arrive
from tests.people import join
from tests.test_browser_walk import AXE, check

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long household password 1"
ENTRA_CODE = CORPUS / "ms_security" / "en_entra_email_verification_code_marc.eml"
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
SHOTS = ARTIFACTS / "phone-checklist"


def _household():
    """Alice with two personal accounts and a work or school one; Bob with one personal account."""
    from accounts.models import Household

    home = Household.objects.create(name="Home")
    people = {name: join(home, name, "member", password=PASSWORD) for name in ("alice", "bob")}
    night = (datetime.now(tz.utc) - timedelta(days=2)).replace(hour=2, minute=0, second=0, microsecond=0)
    arrive(people["alice"], night, mail=PETER_CODE)
    arrive(people["alice"], night, mail=delivered_to(LUCIA_CODE, "alice@example.org"))  # lu**z@example.org
    arrive(people["alice"], night, mail=ENTRA_CODE)
    arrive(people["bob"], night, mail=delivered_to(PETER_CODE, "bob@example.org"))
    return people


def _page(browser, base: str, user: str, size: str, scheme: str = "light"):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make venv-test` (it runs npm ci in tests/tooling)", pytrace=False)
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    problems: list[str] = []
    watch_console(page, problems)
    sign_in(page, base, user, PASSWORD)
    return context, page, problems


def _faults(page) -> list[str]:
    """The page walk's checks (tests/test_browser_walk.py): sideways scrolling (scrollWidth beyond
    innerWidth), axe-core's serious and critical findings, every action on screen and clickable, and
    44 px touch targets on a phone."""
    scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"scrolls sideways: {scroll} > {inner} px"
    return check(page, [])


@pytest.mark.parametrize(("size", "scheme"), [("phone", "light"), ("phone", "dark"), ("desktop", "light")])
def test_the_matrix_is_cards_on_a_phone_and_the_table_on_a_desktop(live_server, browser, size, scheme):
    _household()
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, page, problems = _page(browser, live_server.url, "alice", size, scheme)
    for url in ("/me/", "/dashboard/"):
        page.goto(f"{live_server.url}{url}")
        cards, table = page.locator(".matrix-cards"), page.locator("table.matrix")
        page.screenshot(path=str(SHOTS / f"{size}-{scheme}-{url.strip('/')}.png"), full_page=True)
        if size == "phone":
            assert cards.is_visible() and not table.is_visible(), url
            texts = [card.inner_text() for card in cards.locator(".matrix-card").all()]
            assert len(texts) == 3, texts  # one card per account of Alice's, none of Bob's
            assert (
                sum("0 of 6 steps settled" in t for t in texts) == 2
                and sum("0 of 5 steps settled" in t for t in texts) == 1
            )
            assert all("Next: " in t for t in texts)
            work = next(t for t in texts if "marc.dubois@example.org" in t)
            assert "Next: Change the password" in work
            # The card's next step leads to that step on the account's page.
            link = cards.locator(".matrix-card", has_text="peter.weber@example.com").get_by_role(
                "link", name="Change the password"
            )
            assert link.get_attribute("href").endswith("#step-password")
        else:
            assert table.is_visible() and not cards.is_visible(), url
            assert table.locator("tbody tr").count() == 3
            assert table.locator("thead th").count() == 3 + 7  # six personal steps and "IT admin told"
        assert _faults(page) == [], (size, scheme, url)
    assert problems == []
    context.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_work_or_school_account_links_entra_and_never_account_live_com(live_server, browser, size):
    from msaccounts.models import Account

    _household()
    work = Account.objects.get(address="marc.dubois@example.org")
    context, page, problems = _page(browser, live_server.url, "alice", size)
    page.goto(f"{live_server.url}/microsoft-accounts/{work.code}/")
    page.screenshot(path=str(SHOTS / f"{size}-work-account.png"), full_page=True)
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.href)")
    assert "https://mysignins.microsoft.com/security-info" in hrefs
    assert "https://mysignins.microsoft.com/security-info/password/change" in hrefs
    assert "https://mysignins.microsoft.com/" in hrefs
    assert not [h for h in hrefs if "account.live.com" in h], hrefs
    assert page.locator("#step-it_admin").get_by_text("Tell your IT admin").is_visible()
    assert page.locator("#step-alias").count() == 0 and page.locator("#step-passwordless").count() == 0
    assert _faults(page) == []
    assert problems == []
    context.close()


@pytest.mark.parametrize(("size", "who"), [("phone", "alice"), ("desktop", "bob")])
def test_never_enter_a_code_appears_once_and_goes_after_the_click(live_server, browser, size, who):
    from msaccounts.models import Account

    _household()
    account = Account.objects.filter(member__user__username=who).first()
    context, page, problems = _page(browser, live_server.url, who, size)
    page.goto(f"{live_server.url}/me/")
    box = page.locator("#never-enter")
    assert box.count() == 1 and box.is_visible()
    assert _faults(page) == []
    page.screenshot(path=str(SHOTS / f"{size}-never-enter.png"), full_page=True)
    with page.expect_navigation():
        box.get_by_role("button", name="I understand").click()
    assert page.locator("#never-enter").count() == 0
    assert "Acknowledged: it is not asked again." in page.locator("main").inner_text()
    page.goto(f"{live_server.url}/microsoft-accounts/{account.code}/")
    assert page.locator("#never-enter").count() == 0
    assert "acknowledged “Never enter or read out a code you did not ask for” on" in page.locator("main").inner_text()
    assert _faults(page) == []
    assert problems == []
    context.close()
