"""A pseudo-locale made at test time from the project's own marked strings: every msgstr is its msgid
with letters accented and wrapped in ⟦…⟧ (placeholders and HTML kept), so any English left on a page is
text that was never marked. Django's and allauth's own strings are included, or their English would count."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import allauth
import django
import polib

from ops.catalogues import compile_catalogue

ROOT = Path(__file__).resolve().parents[1]
# What make messages leaves out too; every other top-level folder (each app, templates) is copied.
NOT_SOURCES = {"tests", "static", "data", "locale", "deploy", "node_modules", "test-artifacts"}
ACCENTS = str.maketrans("aceinosuyACEINOSUY", "áçéíñóšúýÁÇÉÍÑÓŠÚÝ")
# Kept as they are: placeholders (%(name)s, %s, {name}), HTML tags and entities.
_KEEP = re.compile(r"%\(\w+\)[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[sdif%]|\{\w*\}|<[^>]*>|&#?\w+;")
OPEN, CLOSE = "⟦", "⟧"


def pseudo(text: str) -> str:
    """⟦Ýóúŕ çóďé⟧: the same length class, still readable, and obviously not English."""
    if not text:
        return text
    parts, last = [], 0
    for match in _KEEP.finditer(text):
        parts.append(text[last : match.start()].translate(ACCENTS))
        parts.append(match.group(0))
        last = match.end()
    parts.append(text[last:].translate(ACCENTS))
    return OPEN + "".join(parts) + CLOSE


def extract_project_messages(work: Path) -> Path:
    """makemessages on a copy of the sources (never into the checkout others work in); returns the .po."""
    if not shutil.which("xgettext") or not shutil.which("msguniq"):
        raise RuntimeError("xgettext is missing: install Debian's gettext package (apt-get install -y gettext)")
    copy = work / "src"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "migrations", "node_modules")
    for folder in ROOT.iterdir():
        if folder.is_dir() and not folder.name.startswith(".") and folder.name not in NOT_SOURCES:
            shutil.copytree(folder, copy / folder.name, ignore=skip)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    (copy / "locale").mkdir()
    env = {**os.environ, "OTPDASH_DATA_DIR": str(work / "data"), "DJANGO_SETTINGS_MODULE": "otpdash.settings"}
    done = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-wrap", "--no-location"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"makemessages failed: {done.stderr[-2000:]}")
    return copy / "locale" / "en" / "LC_MESSAGES" / "django.po"


def library_catalogues() -> list[Path]:
    """The English catalogues of Django (core and contrib) and allauth: every msgid they can show."""
    roots = [Path(django.__file__).parent, Path(allauth.__file__).parent]
    return [po for root in roots for po in root.glob("**/locale/en/LC_MESSAGES/django.po")]


def build(work: Path, languages: list[str]) -> Path:
    """A LOCALE_PATHS folder holding one pseudo catalogue per language code in `languages`."""
    sources = [extract_project_messages(work), *library_catalogues()]
    pseudo_po = polib.POFile()
    pseudo_po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=2; plural=(n != 1);"}
    seen = set()
    for source in sources:
        for entry in polib.pofile(str(source)):
            key = (entry.msgctxt, entry.msgid)
            if entry.obsolete or not entry.msgid or key in seen:
                continue
            seen.add(key)
            made = polib.POEntry(msgctxt=entry.msgctxt, msgid=entry.msgid, msgid_plural=entry.msgid_plural)
            if entry.msgctxt == "date format":  # Django's format letters: kept, or the dates would be garbled
                made.msgstr = entry.msgid
            elif entry.msgid_plural:
                made.msgstr_plural = {0: pseudo(entry.msgid), 1: pseudo(entry.msgid_plural)}
            else:
                made.msgstr = pseudo(entry.msgid)
            pseudo_po.append(made)
    locale = work / "locale"
    for language in languages:
        folder = locale / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        pseudo_po.save(str(folder / "django.po"))
        compile_catalogue(folder / "django.po")
    return locale
