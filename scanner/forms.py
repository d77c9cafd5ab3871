"""The mailbox form: the secret is write-only (never rendered back), folders one per line."""

from __future__ import annotations

from django import forms

from .models import Mailbox


class FolderListField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        required=False, strip=False, widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Usually an app password. It is stored encrypted and never shown again.",
    )
    folders = FolderListField(
        required=False, label="Folders to watch",
        help_text="One per line. Leave empty for INBOX and the server's Junk folder.",
    )

    class Meta:
        model = Mailbox
        fields = ["label", "host", "port", "security", "username", "password", "folders", "ca_file", "poll_minutes",
                  "backfill_days", "enabled"]
        labels = {
            "host": "IMAP server",
            "ca_file": "Trust this CA certificate file",
            "poll_minutes": "Check every (minutes)",
            "backfill_days": "On the first scan, look back (days)",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = bool(self.instance.pk)
        self.fields["label"].required = False
        self.fields["label"].help_text = "A name for you, e.g. \"Work mail\". Empty: the address and server."
        if self.editing:
            self.fields["password"].help_text = "Leave empty to keep the stored password."

    def clean_password(self):
        password = self.cleaned_data.get("password") or ""
        if not password and not self.editing:
            raise forms.ValidationError("Enter the password (or app password) for this mailbox.")
        return password

    def clean(self):
        data = super().clean()
        if not data.get("label") and data.get("username") and data.get("host"):
            data["label"] = f"{data['username']} on {data['host']}"[:100]
        return data

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
