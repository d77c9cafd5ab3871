"""allauth's forms in the app's words: "sign-in name or email", "keep me signed in", plain labels on the
password and email pages, and on the second step whether this person has a security key at all (so it
is offered only then). Each is named in settings.ACCOUNT_FORMS or MFA_FORMS, allauth's documented hook."""

from __future__ import annotations

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn import forms as webauthn_forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def plain(form, labels: dict[str, str]) -> None:
    """Labels without allauth's Title Case, colons or placeholders that repeat the label."""
    form.label_suffix = ""
    for name, label in labels.items():
        if name in form.fields:
            form.fields[name].label = label
            form.fields[name].widget.attrs.pop("placeholder", None)


class SignInForm(account_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain(self, {"login": _("Sign-in name or email"), "password": _("Password")})
        # allauth puts "Forgot your password?" under the field; the page has that link once already.
        self.fields["password"].help_text = ""
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me signed in on this device")


CODE = gettext_lazy("Code from your authenticator app, or a recovery code")


class SecondStepForm(mfa_forms.AuthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain(self, {"code": CODE})
        self.fields["code"].widget.attrs["autocomplete"] = "one-time-code"

    @property
    def has_security_key(self) -> bool:
        return Authenticator.objects.filter(user=self.user, type=Authenticator.Type.WEBAUTHN).exists()


NEW_PASSWORD = {"password1": gettext_lazy("New password"), "password2": gettext_lazy("New password again")}


class ChangePasswordForm(account_forms.ChangePasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain(self, {"oldpassword": _("Current password"), **NEW_PASSWORD})


class ResetPasswordForm(account_forms.ResetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain(self, {"email": _("Your email address")})


class ResetPasswordKeyForm(account_forms.ResetPasswordKeyForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain(self, NEW_PASSWORD)


class AddEmailForm(account_forms.AddEmailForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain(self, {"email": _("Another email address")})


class ReauthenticateForm(account_forms.ReauthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain(self, {"password": _("Your password")})


class CodeAgainForm(mfa_forms.ReauthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain(self, {"code": CODE})
        self.fields["code"].widget.attrs["autocomplete"] = "one-time-code"


class AddKeyForm(webauthn_forms.AddWebAuthnForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain(self, {"name": _("A name for it"), "passwordless": _("Use it as a passkey: sign in with it alone")})
        if "passwordless" in self.fields:
            self.fields["passwordless"].help_text = _(
                "Then signing in needs only this key and its PIN or fingerprint, no password."
            )


class RenameKeyForm(webauthn_forms.EditWebAuthnForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain(self, {"name": _("Name")})
