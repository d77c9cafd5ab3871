"""Reasons on findings in the reader's language: stored in English, translated when shown."""

from __future__ import annotations

from django.utils.translation import gettext

from detect.reason_texts import identify, pieces


def shown_reason(stored: str) -> str:
    """A stored reason in the active language, its values (addresses, domains) as they were; a
    wording no template knows (a row older than the templates) is shown as stored."""
    found = identify(stored)
    if found is None:
        return stored
    template, values = found
    try:
        literals, names = pieces(gettext(template))
    except ValueError:  # a stray brace in a catalogue entry: the English is still right
        return stored
    if not set(names) <= set(values):
        return stored  # a catalogue entry that names other values: the English is still right
    out = [literals[0]]
    for name, literal in zip(names, literals[1:], strict=True):
        out += [values[name], literal]
    return "".join(out)
