"""Text in pages (registered as builtins in settings.TEMPLATES)."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from scanner.reason_display import shown_reason

register = template.Library()


@register.filter
def address(value) -> str:
    """An address with break opportunities after its @ and before each dot, so a narrow column wraps
    it at its parts ("jane.doe@ / example.org") instead of in the middle of a word."""
    text = conditional_escape(str(value or ""))
    return mark_safe(text.replace("@", "@<wbr>").replace(".", "<wbr>."))


@register.filter
def reason_text(value) -> str:
    """A reason on a finding in the reader's language (stored in English by the detector)."""
    return shown_reason(str(value))
