"""The mailbox form: the secret is write-only (never rendered back), folders one per line, the CA
certificate pasted or uploaded as PEM, and where the stored password may be sent fixed unless it is
typed again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .certificates import MAX_PEM_BYTES, CertificateError, ca_bundle
from .models import Mailbox

# Changing any of these sends the stored password somewhere else: the password must be typed again.
CONNECTION_FIELDS = ("host", "port", "security", "username", "ca_certificate")


class FolderListField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Usually an app password. It is stored encrypted and never shown again."),
    )
    folders = FolderListField(
        required=False,
        label=gettext_lazy("Folders to watch"),
        help_text=gettext_lazy("One per line. Leave empty for INBOX and the server's Junk folder."),
    )
    ca_upload = forms.FileField(
        required=False,
        label=gettext_lazy("…or upload it"),
        help_text=gettext_lazy("A .pem or .crt file (PEM text)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pem,.crt,.cer"}),
    )

    class Meta:
        model = Mailbox
        fields = [
            "label", "host", "port", "security", "username", "password", "folders", "ca_certificate", "ca_upload",
            "poll_minutes", "backfill_days", "enabled",
        ]  # fmt: skip
        labels = {
            "host": gettext_lazy("IMAP server"),
            "ca_certificate": gettext_lazy("Trust this CA certificate"),
            "poll_minutes": gettext_lazy("Check every (minutes)"),
            "backfill_days": gettext_lazy("On the first scan, look back (days)"),
        }
        widgets = {
            "ca_certificate": forms.Textarea(attrs={"rows": 3, "placeholder": "-----BEGIN CERTIFICATE-----"}),
        }

    # Shown behind "Advanced": most people never need them, and their defaults are right.
    ADVANCED = ("folders", "ca_certificate", "ca_upload", "poll_minutes", "backfill_days")

    def basic_fields(self):
        return [self[name] for name in self.fields if name not in self.ADVANCED]

    def advanced_fields(self):
        return [self[name] for name in self.ADVANCED if name in self.fields]

    def advanced_has_errors(self) -> bool:
        return any(self[name].errors for name in self.ADVANCED if name in self.fields)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = bool(self.instance.pk)
        self.fields["label"].required = False
        self.fields["label"].help_text = _('A name for you, e.g. "Work mail". Empty: the address and server.')
        if self.editing and self.instance.uses_oauth:
            # The access token goes only where the provider's sign-in was made for: nothing about
            # the connection can change here, and there is no password to type.
            for name in [*CONNECTION_FIELDS, "password", "ca_upload"]:
                if name in self.fields:
                    self.fields[name].disabled = True
            self.fields["password"].help_text = _("Signed in with %(sign_in)s: to sign in again, use Reconnect.") % {
                "sign_in": self.instance.get_auth_display()
            }
        elif self.editing:
            self.fields["password"].help_text = _(
                "Leave empty to keep the stored password. Type it again to change the server, port, "
                "security, username or trusted certificate."
            )

    def clean_password(self):
        if self.instance.uses_oauth:
            return ""
        password = self.cleaned_data.get("password") or ""
        if not password and not self.editing:
            raise forms.ValidationError(_("Enter the password (or app password) for this mailbox."))
        return password

    def clean_ca_upload(self):
        upload = self.cleaned_data.get("ca_upload")
        if not upload:
            return ""
        if upload.size > MAX_PEM_BYTES:
            raise forms.ValidationError(
                _("That file is larger than %(size)d KiB; upload only the CA certificate.")
                % {"size": MAX_PEM_BYTES // 1024}
            )
        try:
            return ca_bundle(upload.read(MAX_PEM_BYTES).decode("utf-8", "replace"))
        except CertificateError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        data = super().clean()
        if data.get("ca_upload"):
            data["ca_certificate"] = data["ca_upload"]
            self.instance.ca_certificate = data["ca_upload"]
        if not data.get("label") and data.get("username") and data.get("host"):
            data["label"] = f"{data['username']} on {data['host']}"[:100]
        if self.editing and not data.get("password") and self.changes_connection():
            self.add_error(
                "password",
                _(
                    "Type the password again to change where it is sent (server, port, security, username "
                    "or trusted certificate)."
                ),
            )
        return data

    def changes_connection(self) -> bool:
        """Whether the submitted server, port, security, username or certificate differ from the saved ones."""
        saved = Mailbox.objects.filter(pk=self.instance.pk).values(*CONNECTION_FIELDS).first() or {}
        for name in CONNECTION_FIELDS:
            value = self.cleaned_data.get(name, getattr(self.instance, name))
            if name == "host":
                value = (value or "").strip().rstrip(".").lower()
            elif name == "ca_certificate":
                try:
                    value = ca_bundle(value or "")
                except CertificateError:
                    return True
            if value != saved.get(name):
                return True
        return False

    def save(self, commit=True):
        mailbox = super().save(commit=False)
        if self.cleaned_data.get("password"):
            mailbox.set_secret(self.cleaned_data["password"])
            # A new password is a fresh start for a mailbox paused after failed sign-ins.
            if mailbox.state in (Mailbox.State.PAUSED, Mailbox.State.AUTH_FAILED):
                mailbox.state, mailbox.auth_failures, mailbox.next_scan_at = Mailbox.State.NEW, 0, None
        if commit:
            mailbox.save()
        return mailbox
