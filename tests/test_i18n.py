"""Each person's language: chosen on the profile and used for their pages; taken from the browser at first
sign-in; followed into every alert, digest and allauth mail whatever language the worker runs in.

The project's own catalogues are still being written, so the words checked come from a small catalogue
made here (compiled with our polib command) and from Django's and allauth's own catalogues."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from datetime import timezone as tz

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.translation import gettext

from accounts.models import Invitation, Member
from notify import delivery
from ops.catalogues import compile_catalogue
from tests.accounts_data import NIGHT, PETER_CODE
from tests.findings import arrive
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db
PASSWORD = "a long household password 1"
# Invented for the test: msgids our code marks today, in words no real catalogue would use.
WORDS = {
    "de": {"Language": "Sprache-Test", "Details: %(url)s": "Einzelheiten-Test: %(url)s"},
    "es": {"Language": "Idioma-Test", "Details: %(url)s": "Detalles-Test: %(url)s"},
    "fr": {"Language": "Langue-Test", "Details: %(url)s": "Détails-Test: %(url)s"},
}


@pytest.fixture(autouse=True)
def english_after():
    """A request leaves its language active in the thread (as Django's LocaleMiddleware does): the
    tests after these ones expect English."""
    yield
    translation.activate("en")


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


@pytest.fixture
def test_catalogues(settings, tmp_path):
    """WORDS as compiled catalogues in front of the project's own."""
    for language, words in WORDS.items():
        po = tmp_path / language / "LC_MESSAGES" / "django.po"
        po.parent.mkdir(parents=True)
        body = "".join(f'msgid "{_quote(a)}"\nmsgstr "{_quote(b)}"\n\n' for a, b in words.items())
        header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        po.write_text(header + body, encoding="utf-8")
        compile_catalogue(po)
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]


def _profile_data(member: Member, **changes) -> dict:
    data = {"display_name": member.display_name, "time_zone": member.time_zone, "quiet_start": "23:00",
            "quiet_end": "07:00", "addresses": "\n".join(member.addresses)}  # fmt: skip
    return {**data, **changes}


def test_the_profiles_language_is_saved_and_used_for_every_page(client, household, test_catalogues):
    alice = join(household, "alice")
    sign_in(client, alice)
    page = client.get(reverse("profile"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en" dir="ltr">' in page.content.decode()
    assert "Idioma-Test" not in page.content.decode()

    saved = client.post(reverse("profile"), _profile_data(alice.member, language="es"), HTTP_ACCEPT_LANGUAGE="de")
    assert saved.status_code == 302
    assert Member.objects.get(user=alice).language == "es"
    # The member's choice beats what the browser asks for, on every page.
    for path in (reverse("profile"), reverse("dashboard")):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="de")
        assert response.status_code == 200, path
        assert '<html lang="es" dir="ltr">' in response.content.decode(), path
        assert response["Content-Language"] == "es", path
    shown = client.get(reverse("profile")).content.decode()
    assert "Idioma-Test" in shown and '<option value="es" selected>Español</option>' in shown
    assert '<option value="de">Deutsch</option>' in shown and '<option value="pl">Polski</option>' in shown
    # Django's own Spanish for a form error: the whole page is in it.
    refused = client.post(reverse("profile"), _profile_data(alice.member, display_name=""))
    with translation.override("es"):
        expected = gettext("This field is required.")
    assert expected != "This field is required." and expected in refused.content.decode()
    # A form posted without the field keeps the choice.
    client.post(reverse("profile"), _profile_data(alice.member))
    assert Member.objects.get(user=alice).language == "es"


def test_a_visitors_pages_follow_the_browser(client, household):
    join(household, "alice")
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="pl,en;q=0.5")
    assert '<html lang="pl" dir="ltr">' in page.content.decode() and page["Content-Language"] == "pl"


def test_the_browsers_language_is_stored_at_first_sign_in_and_the_choice_kept_after(client, household):
    alice = join(household, "alice", password=PASSWORD)
    assert alice.member.language == ""
    signed_in = client.post(
        reverse("account_login"), {"login": "alice", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.8"
    )
    assert signed_in.status_code == 302
    assert Member.objects.get(user=alice).language == "pt-br"
    client.post(reverse("account_logout"))
    client.post(reverse("account_login"), {"login": "alice", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="nl")
    assert Member.objects.get(user=alice).language == "pt-br"  # chosen once: a borrowed browser changes nothing


def test_joining_by_invitation_stores_the_browsers_language(client, household):
    owner = join(household, "olivia", "owner")
    invitation = Invitation.objects.create(household=household, email="newbie@example.org", invited_by=owner)
    data = {"display_name": "Newbie", "username": "newbie", "password1": "a perfectly long password 5",
            "password2": "a perfectly long password 5", "time_zone": "UTC"}  # fmt: skip
    response = client.post(reverse("join", args=[invitation.token()]), data, HTTP_ACCEPT_LANGUAGE="nl-NL,nl;q=0.9")
    assert response.status_code == 302
    assert Member.objects.get(user__username="newbie").language == "nl"


def _plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_an_alert_and_a_digest_reach_a_german_and_a_spanish_member_each_in_their_own_language(
    household, smtp, test_catalogues
):
    hans = join(household, "hans", language="de")
    elena = join(household, "elena", language="es")
    now = datetime.now(tz.utc)
    for person in (hans, elena):
        arrive(person, NIGHT, mail=PETER_CODE)
        for days in (1, 2):
            arrive(person, now - timedelta(days=days, hours=1), mail=PETER_CODE)
    translation.activate("fr")  # the worker's own language: no mail may be in it
    assert delivery.send_due(now=now + timedelta(days=1)) >= 2
    alerts = {m["To"]: _plain(m) for m in smtp.messages}
    assert "Einzelheiten-Test: http://localhost:8000/incidents/" in alerts["hans@example.org"]
    assert "Detalles-Test: http://localhost:8000/incidents/" in alerts["elena@example.org"]
    assert not any("Détails-Test" in text for text in alerts.values())

    smtp.messages.clear()
    call_command("send_digests", "--now", stdout=io.StringIO())
    digests = {m["To"]: _plain(m) for m in smtp.messages}
    assert set(digests) == {"hans@example.org", "elena@example.org"}
    # The days of the week in the digest's bars, in Django's own words for each language.
    day = (now - timedelta(days=1, hours=1)).date()
    shown = {}
    for language in ("de", "es", "fr"):
        with translation.override(language):
            shown[language] = dateformat.format(day, "D j M")
    assert len(set(shown.values())) == 3, shown  # or the check below could not tell the languages apart
    assert shown["de"] in digests["hans@example.org"] and shown["fr"] not in digests["hans@example.org"]
    assert shown["es"] in digests["elena@example.org"] and shown["fr"] not in digests["elena@example.org"]
    assert translation.get_language() == "fr"  # and the worker's language is as it was


def test_allauths_password_reset_mail_is_in_the_account_holders_language(client, household, smtp):
    join(household, "hans", language="de")
    response = client.post(reverse("account_reset_password"), {"email": "hans@example.org"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302
    with translation.override("de"):
        subject = gettext("Password Reset Email")
    assert subject != "Password Reset Email", "allauth's German catalogue is missing"
    (sent,) = smtp.messages
    assert subject in sent["Subject"]


def _catalogue(root, language: str, plural: str, body: str) -> None:
    po = root / language / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    header = f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: {plural}\\n"\n\n'
    po.write_text(header + body, encoding="utf-8")
    compile_catalogue(po)


def test_dates_follow_the_language_and_english_keeps_its_format(settings, tmp_path):
    from otpdash.times import zoned

    _catalogue(tmp_path, "de", "nplurals=2; plural=(n != 1);",
               'msgctxt "date format"\nmsgid "j M, H:i"\nmsgstr "j. M, H:i"\n')  # fmt: skip
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]
    with translation.override("en"):
        assert zoned(NIGHT, "j M, H:i", tz.utc) == "20 Nov, 02:00 UTC"
    with translation.override("de"):
        assert zoned(NIGHT, "j M, H:i", tz.utc) == "20. Nov, 02:00 UTC"
    with translation.override("es"):  # no Spanish order yet: the English one, with Django's Spanish month
        assert zoned(NIGHT, "j M, H:i", tz.utc) == "20 Nov, 02:00 UTC".replace("Nov", _month("es"))


def _month(language: str) -> str:
    with translation.override(language):
        return dateformat.format(NIGHT, "M")


def test_polish_plurals_pick_the_right_form_for_0_1_2_and_5(settings, tmp_path):
    polish = "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? 1 : 2);"
    _catalogue(tmp_path, "pl", polish, '#, python-format\nmsgid "%(count)s code"\nmsgid_plural "%(count)s codes"\n'
               'msgstr[0] "%(count)s kod"\nmsgstr[1] "%(count)s kody"\nmsgstr[2] "%(count)s kodów"\n')  # fmt: skip
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]
    with translation.override("pl"):
        shown = [translation.ngettext("%(count)s code", "%(count)s codes", n) % {"count": n} for n in (0, 1, 2, 5, 22)]
    assert shown == ["0 kodów", "1 kod", "2 kody", "5 kodów", "22 kody"]
