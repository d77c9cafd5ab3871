from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Broker


class BrokerForm(forms.ModelForm):
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown again; leave empty to keep the stored one."),
    )

    class Meta:
        model = Broker
        fields = ["enabled", "host", "port", "tls", "username", "password", "discovery_prefix", "per_person"]

    def save(self, commit=True):
        broker = super().save(commit=False)
        if self.cleaned_data["password"]:
            broker.set_password(self.cleaned_data["password"])
        elif not broker.username:
            broker.set_password("")  # no user name: a password alone means nothing to a broker
        if commit:
            broker.save()
        return broker
