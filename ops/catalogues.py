"""The translation catalogues under LOCALE_PATHS: compiled with polib (no gettext package needed to run
OTP Dash), and checked for what would show English or break a page: untranslated, fuzzy, placeholders
that differ from the English, plural forms missing."""

from __future__ import annotations

import os
import re
from pathlib import Path

import polib
from django.conf import settings

# %(name)s and its kin, a bare %s or %d, and {name} as str.format and JavaScript catalogues use them.
_PLACEHOLDER = re.compile(r"%\(\w+\)[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[sdif]|\{\w*\}")
_NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")


def catalogues(paths=None) -> list[Path]:
    """Every .po file under the locale folders, in a stable order."""
    found = []
    for base in paths if paths is not None else settings.LOCALE_PATHS:
        found += sorted(Path(base).glob("*/LC_MESSAGES/*.po"))
    return found


def compile_catalogue(po_path: Path, mo_path: Path | None = None) -> Path:
    """One .mo beside its .po (or at mo_path), written whole then renamed so a running server never reads half."""
    mo_path = mo_path or po_path.with_suffix(".mo")
    partial = mo_path.with_name(f".{mo_path.name}.partial")
    polib.pofile(str(po_path)).save_as_mofile(str(partial))
    os.replace(partial, mo_path)
    return mo_path


def placeholders(text: str) -> set[str]:
    return {match.group(0) for match in _PLACEHOLDER.finditer(text)}


def problems(po_path: Path) -> list[str]:
    """What is wrong with one catalogue, each as "file:line: what"."""
    try:
        po = polib.pofile(str(po_path))
    except (OSError, ValueError) as exc:
        return [f"{po_path}:1: cannot be read ({exc})"]
    found = []
    if po.metadata_is_fuzzy:
        found.append(f"{po_path}:1: the header is marked fuzzy: check Language and Plural-Forms, then remove the flag")
    forms = _NPLURALS.search(po.metadata.get("Plural-Forms", ""))
    nplurals = int(forms.group(1)) if forms else None
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        where = f"{po_path}:{entry.linenum}"
        if "fuzzy" in entry.flags:
            found.append(f"{where}: fuzzy: {entry.msgid[:60]!r}")
            continue
        if entry.msgid_plural:
            found += _plural_problems(entry, where, nplurals)
        elif not entry.msgstr:
            found.append(f"{where}: untranslated: {entry.msgid[:60]!r}")
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            found.append(
                f"{where}: placeholders differ: {sorted(placeholders(entry.msgid))} in the English, "
                f"{sorted(placeholders(entry.msgstr))} in the translation of {entry.msgid[:60]!r}"
            )
    return found


def _plural_problems(entry, where: str, nplurals: int | None) -> list[str]:
    if nplurals is None:
        return [f"{where}: a plural entry, but the header has no Plural-Forms: {entry.msgid[:60]!r}"]
    forms = [entry.msgstr_plural.get(i, "") for i in range(nplurals)]
    missing = [str(i) for i, text in enumerate(forms) if not text]
    if missing:
        return [f"{where}: plural form(s) {', '.join(missing)} of {nplurals} missing: {entry.msgid[:60]!r}"]
    english = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
    found = []
    for i, text in enumerate(forms):
        # A form may leave out the number ("one code"), but a name the English lacks breaks the page.
        extra = placeholders(text) - english
        if extra:
            found.append(f"{where}: plural form {i} has placeholders the English lacks: {sorted(extra)}")
    if placeholders(forms[-1]) != placeholders(entry.msgid_plural):
        found.append(
            f"{where}: placeholders differ: {sorted(placeholders(entry.msgid_plural))} in the English plural, "
            f"{sorted(placeholders(forms[-1]))} in the last form of {entry.msgid[:60]!r}"
        )
    return found
