"""The time-zone field: a text box that searches the zone list as one types (an HTML datalist, no script),
and a button, shown by static/js/zone.js, that fills in the zone this device is set to."""

from __future__ import annotations

from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import zones

LIST_ID = "time-zones"


@cache
def _datalist() -> SafeString:
    options = format_html_join("", '<option value="{}" label="{}">', ((z.name, z.label) for z in zones.zones()))
    return format_html('<datalist id="{}">{}</datalist>', LIST_ID, options)


class ZoneInput(forms.TextInput):
    def __init__(self, attrs=None):
        defaults = {"list": LIST_ID, "autocomplete": "off", "spellcheck": "false", "data-zone": "suggest"}
        super().__init__({**defaults, **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        box = super().render(name, value, attrs, renderer)
        button_for = (attrs or {}).get("id", "")
        button = format_html(
            '<button type="button" class="secondary zone-suggest" data-zone-for="{}" hidden>{}</button>',
            button_for,
            _("Use this device's zone"),
        )
        return format_html("{}{}{}", box, button, _datalist())


class ZoneField(forms.CharField):
    """Cleans to an IANA zone name; an alias becomes its listed zone, a unique city or country its zone.
    Left empty, it is `empty_zone` when one is given (the new-account forms), else an error."""

    widget = ZoneInput

    def __init__(self, *, empty_zone: str = "", **kwargs):
        self.empty_zone = empty_zone
        kwargs.setdefault("label", gettext_lazy("Time zone"))
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("required", not empty_zone)
        kwargs.setdefault(
            "help_text",
            gettext_lazy("Type a city or country and pick from the list; every time in OTP Dash is shown in it."),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return self.empty_zone
        try:
            return zones.resolve(value)
        except zones.UnknownZone as exc:
            raise ValidationError(str(exc), code="zone") from exc
