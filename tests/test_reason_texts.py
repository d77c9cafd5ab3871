"""Reasons on findings: stored in English, matched back to their template and shown translated."""

from __future__ import annotations

import struct

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

from detect import reason_texts
from detect.reason_texts import TEMPLATES, identify, names
from scanner.reason_display import shown_reason

# What a sender can put in a value: the template's own words, braces, markup and separators.
HOSTILE = "x; the original's headers were not kept (de) from {sender} <b>%(name)s</b> by "


def _values(template: str, extra: str = "") -> dict[str, str]:
    return {name: f"v{index}-{name}@example.org{extra}" for index, name in enumerate(names(template))}


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_round_trips(template):
    values = _values(template)
    assert identify(template.format(**values)) == (template, values)


@pytest.mark.parametrize("template", [t for t in TEMPLATES if names(t)])
def test_a_last_value_holding_the_templates_own_words_comes_back_whole(template):
    keys = names(template)
    values = _values(template)
    values[keys[-1]] = template + HOSTILE + template.format(**values)
    assert identify(template.format(**values)) == (template, values)


def test_no_two_values_stand_side_by_side():
    # A value runs to the words after it: without words between two values their border is unknown.
    for template in TEMPLATES:
        literals = reason_texts.pieces(template)[0]
        assert all(literals[1:-1]), template


def test_an_unknown_wording_is_shown_as_stored():
    for stored in ["a reason from an older version", "", "forwarded by", "sender verified by a friend"]:
        assert identify(stored) is None
        assert shown_reason(stored) == stored


def test_the_unknown_sender_wording_is_its_own_sentence():
    assert identify(reason_texts.FORWARDED_BY_UNKNOWN) == (reason_texts.FORWARDED_BY_UNKNOWN, {})


def _write_catalogue(folder, entries: dict[str, str]) -> None:
    """A compiled GNU catalogue (.mo) written directly, so the test needs no gettext tools."""
    entries = {"": "Content-Type: text/plain; charset=UTF-8\n", **entries}
    keys = sorted(entries)
    ids = b"".join(key.encode() + b"\0" for key in keys)
    strs = b"".join(entries[key].encode() + b"\0" for key in keys)
    start = 7 * 4 + 16 * len(keys)
    id_table, str_table, at = [], [], 0
    for key in keys:
        id_table += [len(key.encode()), start + at]
        at += len(key.encode()) + 1
    at = 0
    for key in keys:
        str_table += [len(entries[key].encode()), start + len(ids) + at]
        at += len(entries[key].encode()) + 1
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    body = header + struct.pack(f"{len(id_table)}i", *id_table) + struct.pack(f"{len(str_table)}i", *str_table)
    target = folder / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "django.mo").write_bytes(body + ids + strs)


GERMAN = {
    reason_texts.FORWARDED_BY: "von {sender} weitergeleitet; die Kopfzeilen des Originals fehlen",
    reason_texts.DISPLAY_SHOWS_OTHER: "Absender ist {address}, der Anzeigename zeigt {shown}",
    reason_texts.URGENCY: "Dringlichkeit oder Drohung",
    reason_texts.LOOKALIKE_NAME: "die Domain {domain} ahmt den Namen von Microsoft nach",
    reason_texts.VERIFIED_BY_DKIM: "Absender bestätigt durch seine DKIM-Signatur von {signer}, von OTP Dash geprüft",
    # Broken catalogue entries: a stray brace, and a value the English does not have.
    reason_texts.ATTACHED_BY: "als Anhang weitergeleitet von {sender",
    reason_texts.RELAYED_BY_LIST: "über die Liste {liste} verteilt",
}


@pytest.fixture
def german(tmp_path):
    _write_catalogue(tmp_path, GERMAN)
    with override_settings(LOCALE_PATHS=[str(tmp_path)]), translation.override("de"):
        yield


def test_with_a_translation_active_the_words_change_and_the_values_stay(german):
    stored = reason_texts.FORWARDED_BY.format(sender="jane@example.org")
    assert shown_reason(stored) == "von jane@example.org weitergeleitet; die Kopfzeilen des Originals fehlen"
    stored = reason_texts.DISPLAY_SHOWS_OTHER.format(shown="it@contoso.com", address="x@evil.example")
    assert shown_reason(stored) == "Absender ist x@evil.example, der Anzeigename zeigt it@contoso.com"
    assert shown_reason(reason_texts.URGENCY) == "Dringlichkeit oder Drohung"
    stored = reason_texts.VERIFIED_BY_DKIM.format(signer="microsoft.com")
    assert (
        shown_reason(stored) == "Absender bestätigt durch seine DKIM-Signatur von microsoft.com, von OTP Dash geprüft"
    )


def test_a_hostile_value_is_filled_in_as_written_and_escaped_on_the_page(german):
    stored = reason_texts.FORWARDED_BY.format(sender=HOSTILE)
    assert shown_reason(stored) == f"von {HOSTILE} weitergeleitet; die Kopfzeilen des Originals fehlen"
    page = Template("{{ reason|reason_text }}").render(Context({"reason": stored}))
    assert page.startswith("von x; the original&#x27;s headers were not kept (de) from {sender} &lt;b&gt;%(name)s")
    assert "<b>" not in page


def test_a_wording_without_a_translation_stays_english(german):
    stored = reason_texts.LOOKALIKE_IMITATES.format(domain="rnicrosoft.example")
    assert shown_reason(stored) == stored


def test_a_broken_catalogue_entry_shows_the_english(german):
    for template, values in [
        (reason_texts.ATTACHED_BY, {"sender": "a@b.example"}),
        (reason_texts.RELAYED_BY_LIST, {"list": "l"}),
    ]:
        stored = template.format(**values)
        assert shown_reason(stored) == stored


def test_every_reason_the_detector_writes_on_the_corpus_has_its_template():
    # A reason worded outside reason_texts.py would be shown untranslated for good.
    from detect import detect
    from tests.corpus_labels import load_cases

    written = {reason for case in load_cases() for reason in detect(case.path.read_bytes()).reasons}
    assert len(written) > 20
    assert [reason for reason in sorted(written) if identify(reason) is None] == []


@pytest.mark.django_db
def test_the_mails_page_shows_its_reasons_in_the_readers_language(client, member, tmp_path):
    from datetime import UTC, datetime

    from django.urls import reverse

    from accounts.models import Member
    from tests.findings import PHISHING, arrive
    from tests.people import sign_in

    finding = arrive(member, datetime(2026, 11, 20, 12, 0, tzinfo=UTC), PHISHING)
    lookalike = [identify(r)[1] for r in finding.reasons if identify(r)[0] == reason_texts.LOOKALIKE_NAME]
    assert lookalike, finding.reasons
    Member.objects.filter(user=member).update(language="de")
    _write_catalogue(tmp_path, GERMAN)
    with override_settings(LOCALE_PATHS=[str(tmp_path)]):
        page = sign_in(client, member).get(reverse("finding_detail", args=[finding.code])).content.decode()
    assert f"die Domain {lookalike[0]['domain']} ahmt den Namen von Microsoft nach" in page
