"""Times in templates, in the viewer's zone with the zone named (registered as builtins in settings.TEMPLATES)."""

from __future__ import annotations

from datetime import UTC, timedelta

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from .date_formats import localized
from .times import DATE_TIME, zoned

register = template.Library()


@register.filter(name="zoned")
def zoned_filter(moment, fmt: str = DATE_TIME) -> str:
    """The same as plain text, for mail and other text that is not HTML."""
    return zoned(moment, fmt) if moment else ""


@register.filter
def when(moment, fmt: str = DATE_TIME):
    """A <time> element: the local text with its zone, the instant in UTC for machines, and the zone's
    full name on hover. Empty for no time, so `|default:"never"` still works."""
    if not moment:
        return ""
    local = timezone.localtime(moment)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        f"{dateformat.format(local, localized('l j F Y, H:i'))} ({timezone.get_current_timezone_name()})",
        zoned(moment, fmt),
    )


@register.filter
def ago(moment) -> str:
    """ "3 hours ago", and "just now" for the last minute rather than Django's "0 minutes ago"."""
    if not moment:
        return ""
    if timezone.now() - moment < timedelta(minutes=1):
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(moment)}
