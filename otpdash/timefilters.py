"""Template filters every page may use (registered as builtins in settings.TEMPLATES)."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def ago(moment) -> str:
    """ "3 hours ago", and "just now" for the last minute rather than Django's "0 minutes ago"."""
    if not moment:
        return ""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"
