from django import forms

from .apprise_channel import ChannelUrlError, shown
from .models import Preference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["digest", "empty_digests", "email_alerts", "min_severity", "admin_alerts"]
        labels = {
            "digest": "Digest by email",
            "empty_digests": "Send it even when there is nothing to report",
            "email_alerts": "Alerts by email",
            "min_severity": "Alert me about my own accounts from",
            "admin_alerts": "As an admin, alert me about",
        }

    def __init__(self, *args, is_admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_admin:
            del self.fields["admin_alerts"]


class ChannelForm(forms.Form):
    label = forms.CharField(max_length=80, help_text="A name for you, e.g. “ntfy on my phone”.")
    url = forms.CharField(
        label="Notification address (Apprise URL)",
        max_length=2000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Any service Apprise supports: ntfy://, tgram://, signal://, matrix://, slack://, "
        "workflows:// (Teams), pover://, gotify://, … Stored encrypted; shown back with its secrets masked.",
    )

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        try:
            self.shown = shown(url)
        except ChannelUrlError as exc:
            raise forms.ValidationError(str(exc)) from None
        return url
