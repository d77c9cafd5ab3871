from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import BreachSetting


class BreachSettingForm(forms.ModelForm):
    """Opt-in to Have I Been Pwned: the key is write-only (shown back by its last characters), and
    turning checks on needs the plain notice acknowledged."""

    api_key = forms.CharField(
        required=False,
        strip=True,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        label=gettext_lazy("API key"),
        help_text=gettext_lazy("From haveibeenpwned.com/API/Key. Leave empty to keep the key already saved."),
    )
    understood = forms.BooleanField(
        required=False,
        label=gettext_lazy(
            "I understand that the household's Microsoft account addresses are sent to Have I Been Pwned."
        ),
    )

    class Meta:
        model = BreachSetting
        fields = ["enabled"]
        labels = {"enabled": gettext_lazy("Check the household's addresses against Have I Been Pwned")}

    def clean(self):
        data = super().clean()
        if data.get("enabled"):
            if not data.get("understood") and not self.instance.enabled:
                self.add_error("understood", _("Tick this to turn the checks on: addresses leave this machine."))
            if not data.get("api_key") and not self.instance.api_key_sealed:
                self.add_error(
                    "api_key", _("An API key is needed: Have I Been Pwned answers address searches only with one.")
                )
        return data

    def save(self, commit=True):
        setting = super().save(commit=False)
        if self.cleaned_data.get("api_key"):
            setting.set_key(self.cleaned_data["api_key"])
            setting.problem, setting.problem_at, setting.retry_at = "", None, None
        if commit:
            setting.save()
        return setting
