"""`manage.py check_catalogues` (run by make lint): passes while there are no catalogues yet, passes on a
complete one, and fails naming file:line on every kind of incomplete entry; compile_catalogues makes a
.mo Django reads."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ops.catalogues import compile_catalogue

HEADER = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: {language}\\n"
"Plural-Forms: {plural}\\n"

"""
POLISH = "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? 1 : 2);"
COMPLETE = """msgid "Profile saved."
msgstr "Profil zapisany."

#, python-format
msgid "Welcome to %(name)s."
msgstr "Witaj w %(name)s."

#, python-format
msgid "%(count)s code"
msgid_plural "%(count)s codes"
msgstr[0] "jeden kod"
msgstr[1] "%(count)s kody"
msgstr[2] "%(count)s kodów"

#~ msgid "Gone"
#~ msgstr ""
"""


def catalogue(root: Path, body: str, language: str = "pl", plural: str = POLISH) -> Path:
    po = root / language / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_text(HEADER.format(language=language, plural=plural) + body, encoding="utf-8")
    return po


def check(capsys) -> tuple[bool, str]:
    try:
        call_command("check_catalogues")
    except CommandError as exc:
        return False, capsys.readouterr().err + str(exc)
    return True, capsys.readouterr().out


def test_no_catalogues_yet_passes(settings, tmp_path, capsys):
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    ok, out = check(capsys)
    assert ok and "No catalogues yet" in out


def test_a_complete_catalogue_passes_and_compiles_to_what_django_reads(settings, tmp_path, capsys):
    settings.LOCALE_PATHS = [tmp_path]
    po = catalogue(tmp_path, COMPLETE)
    ok, out = check(capsys)
    assert ok, out
    assert "1 catalogue(s) complete" in out
    compiled = gettext.GNUTranslations(compile_catalogue(po).open("rb"))
    assert compiled.gettext("Profile saved.") == "Profil zapisany."
    assert [compiled.ngettext("%(count)s code", "%(count)s codes", n) for n in (1, 3, 5)] == [
        "jeden kod",
        "%(count)s kody",
        "%(count)s kodów",
    ]


@pytest.mark.parametrize(
    "entry, line, why",
    [
        ('msgid "Profile saved."\nmsgstr ""\n', 7, "untranslated: 'Profile saved.'"),
        ('#, fuzzy\nmsgid "Profile saved."\nmsgstr "Profil zapisany."\n', 7, "fuzzy: 'Profile saved.'"),
        (
            '#, python-format\nmsgid "Welcome to %(name)s."\nmsgstr "Witaj w %(nazwa)s."\n',
            7,
            "placeholders differ: ['%(name)s'] in the English, ['%(nazwa)s']",
        ),
        ('msgid "Hello {name}"\nmsgstr "Cześć"\n', 7, "placeholders differ: ['{name}']"),
        (
            'msgid "%(count)s code"\nmsgid_plural "%(count)s codes"\nmsgstr[0] "jeden kod"\nmsgstr[1] "%(count)s kody"\n',
            7,
            "plural form(s) 2 of 3 missing",
        ),
        (
            'msgid "%(count)s code"\nmsgid_plural "%(count)s codes"\nmsgstr[0] "kod"\nmsgstr[1] "%(n)s kody"\n'
            'msgstr[2] "kodów"\n',
            7,
            "plural form 1 has placeholders the English lacks: ['%(n)s']",
        ),
    ],
)
def test_an_incomplete_entry_fails_naming_its_file_and_line(settings, tmp_path, capsys, entry, line, why):
    settings.LOCALE_PATHS = [tmp_path]
    po = catalogue(tmp_path, entry)
    ok, out = check(capsys)
    assert not ok
    assert f"{po}:{line}: {why}" in out, out
    assert "problem(s) in 1 catalogue(s)" in out


def test_a_fuzzy_header_and_a_missing_plural_rule_fail(settings, tmp_path, capsys):
    settings.LOCALE_PATHS = [tmp_path]
    po = tmp_path / "de" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        '#, fuzzy\nmsgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "%(count)s code"\nmsgid_plural "%(count)s codes"\nmsgstr[0] "%(count)s Code"\n'
        'msgstr[1] "%(count)s Codes"\n',
        encoding="utf-8",
    )
    ok, out = check(capsys)
    assert not ok
    assert f"{po}:1: the header is marked fuzzy" in out
    assert f"{po}:6: a plural entry, but the header has no Plural-Forms" in out


def test_every_catalogue_of_every_language_is_checked(settings, tmp_path, capsys):
    settings.LOCALE_PATHS = [tmp_path]
    catalogue(tmp_path, COMPLETE)
    german = catalogue(tmp_path, 'msgid "Profile saved."\nmsgstr ""\n', "de", "nplurals=2; plural=(n != 1);")
    ok, out = check(capsys)
    assert not ok and f"{german}:7: untranslated" in out and "1 problem(s) in 2 catalogue(s)" in out
