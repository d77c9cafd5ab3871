"""Forms for people: the first owner, joining by invitation, the profile, inviting and roles."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from otpdash import mail

from .languages import LanguageField
from .models import Household, Invitation, Member
from .zone_field import ZoneField, ZoneInput

User = get_user_model()


class NewAccountForm(forms.Form):
    """A new user: name, sign-in name and a password checked by Django's validators."""

    display_name = forms.CharField(
        max_length=80, label=gettext_lazy("Your name"), help_text=gettext_lazy("Shown to your household.")
    )
    username = forms.CharField(max_length=150, label=gettext_lazy("Sign-in name"))
    email = forms.EmailField(label=gettext_lazy("Email address"))
    password1 = forms.CharField(
        label=gettext_lazy("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    # Filled in from the device by static/js/zone.js; left empty (no script) it is UTC, changeable later.
    time_zone = ZoneField(
        empty_zone="UTC",
        widget=ZoneInput(attrs={"data-zone": "fill", "placeholder": "UTC"}),
        help_text=gettext_lazy("Filled in from this device when it can be; every time in OTP Dash is shown in it."),
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("That sign-in name is taken; choose another."))
        return username

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("An account with this email address already exists."))
        return email

    def clean(self):
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords differ."))
        elif one:
            probe = User(username=data.get("username", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(one, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data

    def create_user(self, **extra) -> User:
        data = self.cleaned_data
        return User.objects.create_user(data["username"], email=data["email"], password=data["password1"], **extra)


class SetupForm(NewAccountForm):
    household = forms.CharField(max_length=100, label=gettext_lazy("Household name"), initial="Our household")
    field_order = ["household", "display_name", "username", "email", "password1", "password2", "time_zone"]


class JoinForm(NewAccountForm):
    """Joining by invitation: the address is the invited one and cannot be changed."""

    def __init__(self, *args, invitation: Invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields["email"].initial = invitation.email
        self.fields["email"].disabled = True


class ProfileForm(forms.ModelForm):
    time_zone = ZoneField()
    language = LanguageField()
    addresses = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("My email addresses"),
        help_text=gettext_lazy(
            "One per line: the addresses you sign in with, at Microsoft and elsewhere (kept for the exposure "
            "checks; shown only to you)."
        ),
    )

    class Meta:
        model = Member
        fields = ["display_name", "language", "time_zone", "quiet_start", "quiet_end", "addresses"]
        labels = {
            "display_name": gettext_lazy("Name"),
            "quiet_start": gettext_lazy("Quiet hours from"),
            "quiet_end": gettext_lazy("Quiet hours until"),
        }
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["addresses"] = "\n".join(self.instance.addresses or [])

    def clean_language(self):
        return self.cleaned_data["language"] or self.instance.language

    def clean_addresses(self):
        found, bad = [], []
        for line in self.cleaned_data["addresses"].replace(",", "\n").splitlines():
            address = line.strip().lower()
            if not address:
                continue
            try:
                validate_email(address)
            except ValidationError:
                bad.append(address)
                continue
            if address not in found:
                found.append(address)
        if bad:
            raise ValidationError(
                _("Not an email address: %(addresses)s. Nothing was saved; fix it and save again.")
                % {"addresses": ", ".join(bad)}
            )
        return found


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Their email address"))
    role = forms.ChoiceField(
        choices=[(Member.Role.MEMBER, Member.Role.MEMBER.label), (Member.Role.ADMIN, Member.Role.ADMIN.label)]
    )
    send = forms.BooleanField(
        required=False,
        initial=True,
        label=gettext_lazy("Email them the link"),
        help_text=gettext_lazy("The link is shown to copy as well."),
    )

    def __init__(self, *args, inviter: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.inviter = inviter
        if not mail.configured():
            self.fields["send"].initial = False
            self.fields["send"].disabled = True
            self.fields["send"].help_text = _("Email is not set up here (OTPDASH_SMTP_HOST): copy the link instead.")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("Someone with this address already has an account here."))
        return email

    def clean_role(self):
        role = self.cleaned_data["role"]
        if role == Member.Role.ADMIN and self.inviter.role != Member.Role.OWNER:
            raise ValidationError(_("Only the owner can invite an admin."))
        return role


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = ["name", "require_mfa"]
        labels = {"require_mfa": gettext_lazy("Require two-step sign-in for everyone")}
