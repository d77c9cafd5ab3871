"""Date formats people read, per language: each is a msgid (context "date format") that a translator may
reorder for their language ("j. M Y, H:i" in German); the letters are Django's date format letters, and
month and day names come from Django's own catalogues. English keeps them as written."""

from __future__ import annotations

from django.utils.translation import pgettext, pgettext_lazy

# The formats the pages and mails use, listed so makemessages puts each in every catalogue.
FORMATS = [
    pgettext_lazy("date format", "j M Y, H:i"),
    pgettext_lazy("date format", "j M Y, H:i:s"),
    pgettext_lazy("date format", "j M Y H:i"),
    pgettext_lazy("date format", "j M Y"),
    pgettext_lazy("date format", "j M, H:i"),
    pgettext_lazy("date format", "j M, H:i:s"),
    pgettext_lazy("date format", "j M H:i"),
    pgettext_lazy("date format", "j M"),
    pgettext_lazy("date format", "D j M"),
    pgettext_lazy("date format", "D j M, H:i"),
    pgettext_lazy("date format", "l j F Y, H:i"),
    pgettext_lazy("date format", "H:i"),
]


def localized(fmt: str) -> str:
    """`fmt` as the active language writes it (a format no catalogue knows stays as it is)."""
    return pgettext("date format", fmt)
