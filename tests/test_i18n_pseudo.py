"""No English left: every page of the page walk, for a member, an admin and a visitor, rendered in a
pseudo-locale built at test time from the project's own marked strings (tests/pseudo_locale.py). Any run
of two or more English words in the visible text (and in title, aria-label, placeholder, alt and button
values) is text outside a translation tag. Values from the database are set up in invented words and
taken out first. Also the pseudo-RTL locale: <html dir="rtl">, and a stylesheet with no left or right."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import translation

from tests import pseudo_locale
from tests.people import sign_in

pytestmark = pytest.mark.django_db
PSEUDO, PSEUDO_RTL = "xa", "xb"
CSS = Path(__file__).resolve().parents[1] / "static" / "css" / "otpdash.css"
# Never translated: names of products and services. Microsoft's page names are inside msgids, so pseudo too.
NOT_ENGLISH = ["OTP Dash", "Have I Been Pwned", "Proton Mail Bridge", "Yahoo Mail", "Zoho Mail", "Microsoft 365"]
ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
_WORD = re.compile(r"^(?:[A-Za-z][a-z]+|a|A|I)(?:[-'][a-z]+)*$")  # "sign-in", "don't", "a", "I" too
VISITOR_PAGES = ["/", "/accounts/login/", "/accounts/password/reset/"]


@pytest.fixture(scope="module")
def pseudo_locales(tmp_path_factory):
    try:
        return pseudo_locale.build(tmp_path_factory.mktemp("pseudo"), [PSEUDO, PSEUDO_RTL])
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def in_pseudo(settings, pseudo_locales):
    settings.LOCALE_PATHS = [pseudo_locales, *settings.LOCALE_PATHS]
    settings.LANGUAGES = [*settings.LANGUAGES, (PSEUDO, "Pseudo"), (PSEUDO_RTL, "Pseudo RTL")]
    settings.LANGUAGES_BIDI = [*settings.LANGUAGES_BIDI, PSEUDO_RTL]
    yield  # Django clears its language caches when these settings change, and again when they are restored
    translation.activate("en")


class VisibleText(HTMLParser):
    """Text a person sees or hears: outside <script>, <style> and <template>; plus labelling attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        values = dict(attrs)
        self.parts += [values[a] for a in ATTRIBUTES if values.get(a)]
        if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def database_strings() -> list[str]:
    """Every free-text value stored by the test's set-up (names, addresses, subjects, titles): data, not
    interface. Choice fields are left in: what they show is their translated label."""
    found = set()
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields
                  if isinstance(f, (models.CharField, models.TextField, models.JSONField)) and not f.choices]  # fmt: skip
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            stack = list(row)
            while stack:
                value = stack.pop()
                if isinstance(value, str) and len(value) >= 3 and " " in value.strip():
                    found.add(value)
                    name = value.split("<")[0].strip().strip('"')
                    if "<" in value and len(name) >= 3:  # a stored From: the page shows its display name alone
                        found.add(name)
                elif isinstance(value, (list, tuple)):
                    stack += value
                elif isinstance(value, dict):
                    stack += list(value.values())
    return sorted(found, key=len, reverse=True)


def english_left(html: str, data: list[str]) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    text = "\n".join(unescape(part) for part in parser.parts)
    text = re.sub(f"{pseudo_locale.OPEN}[^{pseudo_locale.CLOSE}]*{pseudo_locale.CLOSE}", "\n", text)
    for value in [*data, *NOT_ENGLISH]:
        text = text.replace(value, "\n")
    runs = []
    for line in text.splitlines():
        run: list[str] = []
        for token in [*line.split(), ""]:
            word = token.strip(".,:;!?()[]\"'“”‘’«»·–—…")
            if word and _WORD.match(word):
                run.append(token)
                continue
            if len(run) >= 2:
                runs.append(" ".join(run))
            run = []
    return runs


def walk(client, paths: list[str], data: list[str], who: str, accept: str = "") -> dict[str, list[str]]:
    found = {}
    for path in paths:
        response = client.get(path, follow=True, HTTP_ACCEPT_LANGUAGE=accept)
        where = f"{who} {path}" + (f" (→ {response.redirect_chain[-1][0]})" if response.redirect_chain else "")
        if response.status_code != 200:
            found[where] = [f"status {response.status_code}"]
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if f'lang="{PSEUDO}"' not in html:  # else the walk would pass on English it never looked at
            found[where] = [f"not rendered in the pseudo-locale: {re.search(r'<html[^>]*>', html)}"]
            continue
        left = english_left(html, data)
        if left:
            found[where] = left
    return found


def report(found: dict[str, list[str]]) -> str:
    lines = [f"{len(found)} page(s) show English outside a translation tag (page: text):"]
    for where, texts in found.items():
        lines.append(f"  {where}:")
        lines += [f"    {text!r}" for text in dict.fromkeys(texts)]
    return "\n".join(lines)


def invented_names(data: dict) -> None:
    """The walk's household in words no language has, so they cannot pass for English left behind."""
    from accounts.models import Household, Member
    from mailboxes.models import Mailbox

    Household.objects.update(name="Zyx Qwv")
    Mailbox.objects.update(label="Qwv Zyxmail")
    for n, member in enumerate(Member.objects.all()):
        Member.objects.filter(pk=member.pk).update(display_name=f"Zyx{'abcdefgh'[n]} Qwv")


def test_no_english_is_left_on_any_page_in_the_pseudo_locale(client, in_pseudo):
    from accounts.models import Member
    from tests.test_browser_walk import household_with_history, pages

    data = household_with_history()
    invented_names(data)
    Member.objects.update(language=PSEUDO)
    stored = database_strings()
    found = walk(client, VISITOR_PAGES, stored, "visitor", accept=PSEUDO)
    for who in ("alice", "owner"):
        sign_in(client, data[who])
        found |= walk(client, pages(data, "alice" if who == "alice" else "olivia"), stored, who)
        client.logout()
    assert not found, report(found)


def test_the_pseudo_locale_sees_marked_text_and_finds_unmarked_text(in_pseudo):
    """The check itself: marked text is transformed, English outside a tag is found, data is not."""
    with translation.override(PSEUDO):
        marked = translation.gettext("This field is required.")
    assert marked == "⟦Thíš fíéld íš réqúíréd.⟧"  # Django's own strings are in the pseudo-locale too
    page = f'<p>{marked}</p><p title="Open the incident">Zyx Qwv</p><script>var a = "not shown here";</script>'
    assert english_left(page, []) == ["Open the incident", "Zyx Qwv"]
    assert english_left(page, ["Zyx Qwv"]) == ["Open the incident"]  # data shown from the database is not interface
    assert english_left("<p>Sent to Qwv Zyx today</p>", ["Sent to Qwv Zyx today"]) == []
    assert pseudo_locale.pseudo("Hi %(name)s, <b>see</b> &amp; go") == "⟦Hí %(name)s, <b>šéé</b> &amp; gó⟧"


def test_the_pseudo_rtl_locale_turns_the_page_right_to_left(client, in_pseudo, household):
    from tests.people import join

    alice = join(household, "alice", language=PSEUDO_RTL)
    sign_in(client, alice)
    page = client.get(reverse("dashboard")).content.decode()
    assert f'<html lang="{PSEUDO_RTL}" dir="rtl">' in page
    visitor = client.__class__().get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE=PSEUDO).content.decode()
    assert f'<html lang="{PSEUDO}" dir="ltr">' in visitor


def test_the_stylesheet_has_no_left_or_right_so_rtl_needs_no_layout_work():
    physical = re.compile(
        r"(?:margin|padding|border|inset)-(?:left|right)\b|(?:^|[;{\s])(?:left|right)\s*:|"
        r"(?:text-align|float|clear)\s*:\s*(?:left|right)\b|border-(?:top|bottom)-(?:left|right)-radius"
    )
    found = [f"{CSS.name}:{n}: {line.strip()}" for n, line in enumerate(CSS.read_text().splitlines(), 1)
             if physical.search(line)]  # fmt: skip
    assert not found, "physical left/right properties (use margin-inline-start, text-align: start …):\n" + "\n".join(
        found
    )
