"""A small guess at a text's language, for mails whose wording matched no known template."""

from __future__ import annotations

import re

_WORDS = {
    "en": "the and you your to of is this with for please account we",
    "de": "der die das und sie ihr ihre nicht mit für ist wir bitte",
    "fr": "le la les et vous votre est pour avec nous une des",
    "es": "el la los las y tu su es para con por una que",
    "it": "il la e di che per con una sono il tuo non",
    "nl": "de het een en je uw is voor met niet van",
    "pt": "o a os as e você seu sua para com uma não",
    "pl": "i w na nie się jest to że z do twoje",
    "sv": "och att det är en du din för med inte",
    "tr": "ve bir bu için ile değil hesabınız lütfen",
}
_SETS = {lang: set(words.split()) for lang, words in _WORDS.items()}
_TOKEN = re.compile(r"[^\W\d_]+", re.U)


_TAG = re.compile(r"^[a-z]{2,3}(?:[-_][a-z0-9]{1,8})*$", re.I)
# Scripts that name their language on their own (checked before any word list).
_SCRIPTS = [
    ("he", r"[\u0590-\u05ff]"),
    ("ar", r"[\u0600-\u06ff]"),
    ("el", r"[\u0370-\u03ff]"),
    ("th", r"[\u0e00-\u0e7f]"),
    ("hi", r"[\u0900-\u097f]"),
    ("ka", r"[\u10a0-\u10ff]"),
    ("hy", r"[\u0530-\u058f]"),
]


def declared(html_lang: str, content_language: str) -> str | None:
    """The primary language tag the mail declares (<html lang>, then Content-Language), if well formed."""
    for value in (html_lang, content_language.split(",")[0]):
        value = value.strip()
        if _TAG.match(value):
            return value.replace("_", "-").split("-")[0].lower()
    return None


def guess(text: str) -> str | None:
    sample = text[:4000]
    for lang, script in _SCRIPTS:
        if re.search(script, sample):
            return lang
    if re.search(r"[\u3040-\u30ff]", sample):
        return "ja"
    if re.search(r"[\uac00-\ud7af]", sample):
        return "ko"
    if re.search(r"[\u4e00-\u9fff]", sample):
        return "zh"
    if re.search(r"[іїєґ]", sample, re.I):
        return "uk"
    if re.search(r"[а-я]", sample, re.I):
        return "ru"
    tokens = [t.lower() for t in _TOKEN.findall(sample)][:600]
    if not tokens:
        return None
    scores = {lang: sum(t in words for t in tokens) for lang, words in _SETS.items()}
    best = max(scores, key=scores.get)
    return best if scores[best] >= 2 else None
