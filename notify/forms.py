from django import forms
from django.utils.translation import gettext_lazy

from . import webhooks
from .apprise_channel import ChannelUrlError, shown
from .models import EscalationSetting, Preference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["digest", "empty_digests", "email_alerts", "min_severity", "admin_alerts"]
        labels = {
            "digest": gettext_lazy("Digest by email"),
            "empty_digests": gettext_lazy("Send it even when there is nothing to report"),
            "email_alerts": gettext_lazy("Alerts by email"),
            "min_severity": gettext_lazy("Alert me about my own accounts from"),
            "admin_alerts": gettext_lazy("As an admin, alert me about"),
        }

    def __init__(self, *args, is_admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_admin:
            del self.fields["admin_alerts"]


class EscalationForm(forms.ModelForm):
    class Meta:
        model = EscalationSetting
        fields = ["after_hours"]
        labels = {
            "after_hours": gettext_lazy("Tell the admins when a high or critical incident has nobody on it after")
        }
        help_texts = {"after_hours": gettext_lazy("Hours (1 to 168) with no “I'm on it” and no checklist step marked.")}


class ChannelForm(forms.Form):
    label = forms.CharField(
        label=gettext_lazy("Label"), max_length=80, help_text=gettext_lazy("A name for you, e.g. “ntfy on my phone”.")
    )
    url = forms.CharField(
        label=gettext_lazy("Notification address (Apprise URL)"),
        max_length=2000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy(
            "Any service Apprise supports: ntfy://, tgram://, signal://, matrix://, slack://, "
            "workflows:// (Teams), pover://, gotify://, … Stored encrypted; shown back with its secrets masked."
        ),
    )

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        try:
            self.shown = shown(url)
        except ChannelUrlError as exc:
            raise forms.ValidationError(str(exc)) from None
        return url


class WebhookForm(forms.Form):
    """A signed webhook: where to POST each event. Its signing secret is made by the server."""

    prefix = "webhook"  # on the same page as the Apprise form: distinct field names and ids
    label = forms.CharField(
        label=gettext_lazy("Label"), max_length=80, help_text=gettext_lazy("A name for you, e.g. “Home Assistant”.")
    )
    url = forms.CharField(
        label=gettext_lazy("Webhook address"),
        max_length=2000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy(
            "https://… where OTP Dash POSTs a signed JSON body for each event. Stored encrypted; shown "
            "back as its host only, since its path may hold the receiver's own token."
        ),
    )

    def clean_url(self):
        try:
            url = webhooks.check(self.cleaned_data["url"])
            self.shown = webhooks.shown(url)
        except webhooks.WebhookUrlError as exc:
            raise forms.ValidationError(str(exc)) from None
        return url
