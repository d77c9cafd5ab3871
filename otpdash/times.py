"""A moment as people read it: in a zone, with the zone named, so a time is never read in the wrong one."""

from __future__ import annotations

from datetime import datetime, tzinfo

from django.utils import dateformat, timezone

from .date_formats import localized

DATE_TIME = "j M Y, H:i"


def zoned(moment: datetime, fmt: str = DATE_TIME, zone: tzinfo | None = None) -> str:
    """ "2 Dec 2026, 13:48 CET" (`fmt` in Django's date format) in `zone`, else the active zone: the viewer's,
    set by the middleware. The abbreviation is the tz database's; a zone without one shows its offset ("+04")."""
    local = timezone.localtime(moment, zone)
    return f"{dateformat.format(local, localized(fmt))} {local.tzname()}"
