"""The page walk once more on a phone (390×844), for a member and an admin, in German (the longest words)
and in the pseudo-RTL locale (every string longer and accented, the page right to left): the same
checks as tests/test_browser_walk.py (no sideways scroll, every action on screen and clickable, no
console error, axe-core), with each person's language set on their profile."""

from __future__ import annotations

import json

import pytest

from tests import pseudo_locale
from tests.browser import ARTIFACTS, sign_in, watch_console
from tests.test_browser_walk import AXE, PASSWORD, check, household_with_history, pages

pytestmark = pytest.mark.django_db(transaction=True)
PSEUDO_RTL = "xb"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def pseudo_rtl(settings, tmp_path):
    try:
        locale = pseudo_locale.build(tmp_path, [PSEUDO_RTL])
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    settings.LOCALE_PATHS = [locale, *settings.LOCALE_PATHS]
    settings.LANGUAGES = [*settings.LANGUAGES, (PSEUDO_RTL, "Pseudo RTL")]
    settings.LANGUAGES_BIDI = [*settings.LANGUAGES_BIDI, PSEUDO_RTL]


def test_every_page_works_on_a_phone_in_german_and_right_to_left(live_server, browser, pseudo_rtl):
    from accounts.models import Member

    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make venv-test` (it runs npm ci in tests/tooling)", pytrace=False)
    data = household_with_history()
    shots = ARTIFACTS / "walk-languages"
    shots.mkdir(parents=True, exist_ok=True)
    report: dict[str, list[str]] = {}
    for language, direction in (("de", "ltr"), (PSEUDO_RTL, "rtl")):
        Member.objects.update(language=language)
        for who in ("alice", "olivia"):
            context = browser.new_context(viewport=PHONE)
            page = context.new_page()
            problems: list[str] = []
            watch_console(page, problems)
            sign_in(page, live_server.url, who, PASSWORD)
            for url in pages(data, who):
                response = page.goto(f"{live_server.url}{url}")
                assert response.status == 200, (language, who, url, response.status)
                shown = page.evaluate("() => [document.documentElement.lang, document.dir]")
                found = [] if shown == [language, direction] else [f"<html> says {shown}, not {[language, direction]}"]
                name = f"{language}-{who}-{url.strip('/').replace('/', '_').replace('?', '_') or 'home'}"
                page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
                # axe knows only registered language codes; the pseudo-locale's is made up on purpose.
                found += [p for p in check(page, problems) if not p.startswith("axe html-lang-valid")]
                if found:
                    report[f"{language} {who} {url}"] = found
            context.close()
    (shots / "report.json").write_text(json.dumps(report, indent=1))
    assert not report, json.dumps(report, indent=1)[:20000]
