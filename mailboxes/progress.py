"""How far a first scan has got, in words: the same sentence on the mailbox page and in `manage.py scan`.

Pure functions of counts and seconds, so the page, the command and their tests agree."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext


def seconds_left(examined: int, total: int, elapsed: float) -> float | None:
    """The time the rest should take at the rate so far; None until a batch has passed (no rate yet)."""
    if examined <= 0 or elapsed <= 0:
        return None
    return max(total - examined, 0) * elapsed / examined


def time_left_words(seconds: float | None) -> str:
    if seconds is None:
        return _("estimating…")
    minutes = round(seconds / 60)
    if minutes < 1:
        return _("less than a minute left")
    if minutes < 60:
        return _("about %(minutes)d min left") % {"minutes": minutes}
    hours, minutes = divmod(minutes, 60)
    if minutes:
        return _("about %(hours)d h %(minutes)d min left") % {"hours": hours, "minutes": minutes}
    return _("about %(hours)d h left") % {"hours": hours}


def progress_words(examined: int, total: int, seconds: float | None) -> str:
    """'12,000 of 20,000 messages, about 2 min left'."""
    left = pgettext("a scan's progress", "done") if examined >= total else time_left_words(seconds)
    counts = {"examined": f"{examined:,}", "total": f"{total:,}", "left": left}
    return (
        ngettext("%(examined)s of %(total)s message, %(left)s", "%(examined)s of %(total)s messages, %(left)s", total)
        % counts
    )
