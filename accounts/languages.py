"""A person's language: taken from the browser at first sign-in until they choose one on the profile."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy


class LanguageField(forms.ChoiceField):
    """The languages OTP Dash speaks, each named in its own language so a person finds theirs."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("Language"))
        kwargs.setdefault("help_text", gettext_lazy("Pages, alerts and digests for you are in this language."))
        # Not required: a form posted without it (older clients, tests of other fields) keeps the choice as is.
        kwargs.setdefault("required", False)
        super().__init__(choices=settings.LANGUAGES, **kwargs)

    def prepare_value(self, value):
        """Not chosen yet: the select shows the language the page is in, not the first of the list."""
        if not value:
            return translation.get_supported_language_variant(translation.get_language() or settings.LANGUAGE_CODE)
        return value


def remember_browser_language(sender, request, user, **kwargs) -> None:
    """user_logged_in: covers the set-up page, joining by invitation and every allauth sign-in."""
    from .models import Member

    member = Member.objects.filter(user=user).first()
    if member is not None and request is not None:
        member.take_browser_language(request)
