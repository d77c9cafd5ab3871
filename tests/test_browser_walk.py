"""Every page a member, an admin and a visitor can reach, in Chromium at a phone's size (390×844) and a
desktop's (1280×800): no sideways scrolling, every action visible and clickable, no console or CSP
error, and no serious or critical accessibility violation that axe-core finds. A screenshot of each
page at each size lands in test-artifacts/walk/."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from datetime import timezone as tz
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS, sign_in, watch_console
from tests.findings import PHISHING, SECURITY_CODE, arrive
from tests.people import join

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long household password 1"
AXE = Path(__file__).resolve().parent / "tooling" / "node_modules" / "axe-core" / "axe.min.js"
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
# Each size in the light theme, and the phone in the dark one too (prefers-color-scheme).
LOOKS = [("phone", "light"), ("desktop", "light"), ("phone", "dark")]


def household_with_history():
    from accounts.models import Household
    from incidents.models import Incident
    from mailboxes.models import Mailbox
    from msaccounts.models import Account
    from scanner.models import Finding

    home = Household.objects.create(name="Home")
    owner = join(home, "olivia", "owner", password=PASSWORD, staff=True)
    alice = join(home, "alice", "member", password=PASSWORD)
    night = (datetime.now(tz.utc) - timedelta(days=2)).replace(hour=2, minute=0, second=0, microsecond=0)
    for person in (owner, alice):
        for n in range(3):
            arrive(person, night + timedelta(minutes=n))
        arrive(person, night + timedelta(hours=1), mail=SECURITY_CODE)
        arrive(person, night + timedelta(hours=2), mail=PHISHING)
        arrive(person, datetime.now(tz.utc) - timedelta(hours=3))  # waits for an answer
        box = Mailbox(
            owner=person, label="Home mail", host="imap.example.org", username=f"{person.username}@example.org"
        )
        box.set_secret("x")
        box.save()
    # Issue 25's states: Alice's alias step contradicted by a later code, and her alerts silenced.
    from msaccounts.models import StepMark
    from notify.models import Snooze

    account = Account.objects.filter(member=alice.member).first()
    StepMark.objects.create(account=account, step="alias", state="done", actor=alice, actor_name="Alice",
                            at=night - timedelta(days=3))  # fmt: skip
    StepMark.objects.create(account=account, step="alias", state="to_do", evidence="contradicted",
                            reason=f"codes still arrive for {account.address} since you turned it off on 1 Dec 2026: "
                            "check Sign-in preferences")  # fmt: skip
    Snooze.objects.create(member=alice.member, account=account, until=datetime.now(tz.utc) + timedelta(days=7))
    # What a first scan found from two months ago: history, summed up on /me/past/.
    past = arrive(alice, datetime.now(tz.utc) - timedelta(days=60))
    Finding.objects.filter(pk=past.pk).update(history=True)
    return {
        "owner": owner,
        "alice": alice,
        "incident": Incident.objects.filter(member=alice.member).first(),
        "account": Account.objects.filter(member=alice.member).first(),
        "mailbox": Mailbox.objects.get(owner=alice),
        "owner_mailbox": Mailbox.objects.get(owner=owner),
        "lookalike": Finding.objects.filter(owner=alice, category="phishing").first(),
    }


def pages(data: dict, who: str) -> list[str]:
    mine = ["/dashboard/", "/dashboard/?days=7", "/dashboard/?days=365", "/me/", "/codes/", "/codes/?kind=phishing", "/codes/?kind=ms_alert", "/incidents/", f"/incidents/{data['incident'].code}/",
            "/microsoft-accounts/", f"/microsoft-accounts/{data['account'].code}/", "/household/", "/profile/",
            "/notifications/", "/mailboxes/", "/mailboxes/new/", "/accounts/2fa/", "/accounts/2fa/totp/activate",
            "/accounts/password/change/", "/accounts/email/", "/accounts/2fa/webauthn/", "/accounts/2fa/webauthn/add/",
            "/accounts/logout/", "/me/past/"]  # fmt: skip
    if who == "alice":
        return [*mine, f"/mailboxes/{data['mailbox'].code}/", f"/codes/{data['lookalike'].code}/"]
    return [*mine, f"/mailboxes/{data['owner_mailbox'].code}/", "/codes/?who=all", "/incidents/log/",
            "/household/breaches/", "/admin/", f"/codes/{data['lookalike'].code}/",
            f"/me/past/?who={data['alice'].member.code}", f"/incidents/?account={data['account'].code}",
            "/admin/mailboxes/mailbox/"]  # fmt: skip


def check(page, problems: list[str]) -> list[str]:
    """What is wrong with the page as shown now."""
    found = []
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        # The widest boxes, to say where to look.
        wide = page.evaluate(
            """(limit) => [...document.querySelectorAll('body *')]
            .map(e => [e.getBoundingClientRect().right, e.scrollWidth, e.tagName.toLowerCase() + '.' + e.className
                             + ' ' + (e.textContent || '').trim().slice(0, 30)])
            .sort((a, b) => b[0] - a[0]).slice(0, 4)""",
            width[1],
        )
        found.append(f"scrolls sideways ({width[0]} > {width[1]} px): {wide}")
    for action in page.locator("main button:visible, main a.button:visible, main input[type=submit]:visible").all():
        box = action.bounding_box()
        label = (action.inner_text() or action.get_attribute("value") or "").strip()[:40]
        if box is None or box["x"] < 0 or box["x"] + box["width"] > width[1] + 1:
            found.append(f"action {label!r} is outside the screen")
            continue
        try:
            action.click(trial=True, timeout=2000)
        except Exception as exc:  # the trial click waits for it to be visible, stable, enabled, unobscured
            found.append(f"action {label!r} cannot be clicked: {str(exc).splitlines()[0]}")
    # A link drawn as a button is one box: one broken across two lines tears its outline.
    torn = page.evaluate(
        """() => [...document.querySelectorAll('main a.button')].filter(a => a.offsetParent !== null
            && a.getClientRects().length > 1).map(a => a.textContent.trim().slice(0, 40))"""
    )
    found += [f"button {label!r} breaks across lines" for label in torn]
    found += check_chart_text(page)
    if "/admin/" not in page.url:  # Django's admin has its own stylesheet, not ours to restyle
        found += check_touch_targets(page, width[1])
    # A table stacked into rows on a phone names each value, or "3" and "0" mean nothing.
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('main td')].filter(td =>
            getComputedStyle(td).display === 'block' && !td.hasAttribute('data-label') && td.colSpan === 1
            && !td.classList.contains('actions') && td.textContent.trim()).map(td => td.textContent.trim().slice(0, 30))"""
    )
    found += [f"a stacked cell has no label: {text!r}" for text in unnamed]
    if problems:
        found += [f"console: {p}" for p in problems]
        problems.clear()
    page.evaluate(AXE.read_text())  # evaluated by the browser's own tools: the page's CSP still holds for the page
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    for violation in result:
        if violation["impact"] in ("serious", "critical"):
            targets = [node["target"] for node in violation["nodes"]][:3]
            found.append(f"axe {violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


TARGETS = ("button, a.button, .nav a, .tabs a, .ranges a, .pager a, .menu-button, select, textarea, "
           "input:not([type=hidden]):not([type=checkbox]):not([type=radio])")  # fmt: skip


def check_touch_targets(page, viewport_width: int) -> list[str]:
    """On a phone every button, tab, pager link and field is at least 44 px tall, so a thumb hits it."""
    if viewport_width > 600:
        return []
    small = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].filter(e => e.offsetParent !== null)
            .map(e => [e.getBoundingClientRect().height, (e.innerText || e.value || e.name || e.tagName).trim()
                       .slice(0, 30)]).filter(([h]) => h > 0 && h < 44)""",
        TARGETS,
    )
    return [f"touch target {label!r} is {height:.0f} px tall" for height, label in small]


def check_chart_text(page) -> list[str]:
    """The chart is drawn to the card's width: its labels must still be at least 10 px on screen and apart."""
    texts = page.evaluate(
        """() => [...document.querySelectorAll('.chart svg text')].map(t => {
            const r = t.getBoundingClientRect();
            const px = parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a;
            const s = t.ownerSVGElement.getBoundingClientRect();
            const inside = r.left >= s.left - 0.5 && r.right <= s.right + 0.5 && r.top >= s.top && r.bottom <= s.bottom;
            return [t.textContent, px, r.left, r.top, r.right, r.bottom, inside];
        })"""
    )
    found = [f"chart label {t[0]!r} is {t[1]:.1f} px" for t in texts if t[1] < 10]
    found += [f"chart label {t[0]!r} is cut off at the drawing's edge" for t in texts if not t[6]]
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if a[2] < b[4] and b[2] < a[4] and a[3] < b[5] and b[3] < a[5]:
                found.append(f"chart labels {a[0]!r} and {b[0]!r} overlap")
    return found


def check_menu(page, base: str, size: str) -> list[str]:
    """On a phone the menu is folded behind its button and opens on a tap; on a desktop it is shown."""
    page.goto(f"{base}/dashboard/")
    nav = page.locator("#main-nav")
    if size == "desktop":
        return [] if nav.is_visible() else ["the menu is hidden on a desktop"]
    if nav.is_visible():
        return ["the menu is not folded on a phone"]
    page.get_by_text("Menu", exact=True).click()
    if not page.get_by_role("link", name="Codes", exact=True).is_visible():
        return ["the Menu button does not open the menu"]
    return []


def test_every_page_works_on_a_phone_and_a_desktop(live_server, browser):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make venv-test` (it runs npm ci in tests/tooling)", pytrace=False)
    data = household_with_history()
    shots = ARTIFACTS / "walk"
    shots.mkdir(parents=True, exist_ok=True)
    report: dict[str, list[str]] = {}
    for size, scheme in LOOKS:
        width, height = SIZES[size]
        for who in ("visitor", "alice", "olivia"):
            context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
            page = context.new_page()
            problems: list[str] = []
            watch_console(page, problems)
            if who == "visitor":
                urls = ["/", "/accounts/login/", "/accounts/password/reset/", "/accounts/password/reset/key/1-x/"]
            else:
                sign_in(page, live_server.url, who, PASSWORD)
                urls = pages(data, who)
                menu_problems = check_menu(page, live_server.url, size)
                if menu_problems:
                    report[f"{who} {size} {scheme} menu"] = menu_problems
            for url in urls:
                response = page.goto(f"{live_server.url}{url}")
                assert response.status == 200, (who, url, response.status)
                name = f"{who}-{size}-{scheme}-{url.strip('/').replace('/', '_').replace('?', '_') or 'home'}"
                page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
                found = check(page, problems)
                if found:
                    report[f"{who} {size} {scheme} {url}"] = found
            context.close()
    (shots / "report.json").write_text(json.dumps(report, indent=1))
    assert not report, json.dumps(report, indent=1)[:20000]
