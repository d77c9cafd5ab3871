"""allauth's sign-in forms in the app's words: "sign-in name or email", "keep me signed in", and on the
second step whether this person has a security key at all (so it is offered only then)."""

from __future__ import annotations

from allauth.account.forms import LoginForm
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.models import Authenticator


class SignInForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        self.fields["login"].label = "Sign-in name or email"
        self.fields["login"].widget.attrs["placeholder"] = ""
        self.fields["password"].widget.attrs["placeholder"] = ""
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me signed in on this device"


class SecondStepForm(AuthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        self.fields["code"].label = "Code from your authenticator app, or a recovery code"
        self.fields["code"].widget.attrs.update(placeholder="", autocomplete="one-time-code")

    @property
    def has_security_key(self) -> bool:
        return Authenticator.objects.filter(user=self.user, type=Authenticator.Type.WEBAUTHN).exists()
