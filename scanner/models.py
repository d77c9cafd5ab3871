"""What the scanner stores: per-folder cursors, findings and where they were seen, and the watch
processes with their leases.

No message body and no full code is ever stored: a Finding keeps the detector's verdict with
codes masked to their last two digits.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from detect.reason_texts import WAVE_VOUCHED, WAVE_VOUCHED_SAME_ACCOUNT
from mailboxes.models import Mailbox
from otpdash.times import zoned


class FolderCursor(models.Model):
    """How far a folder has been read: only UIDs above last_uid, under this UIDVALIDITY, are new."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="cursors")
    folder = models.CharField(max_length=500)
    uidvalidity = models.PositiveBigIntegerField()
    last_uid = models.PositiveBigIntegerField(default=0)
    examined = models.PositiveBigIntegerField(default=0)
    # False while a first read is under way: a pass that resumes it after a failure still records
    # the older mail as history, as the first read would have.
    first_read_done = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mailbox", "folder"], name="one_cursor_per_folder")]


# The detector's template names in words (facts: which Microsoft mail each one is).
# Microsoft's notices that the account itself changed.
CHANGE_NOTICES = frozenset({"msa_password_changed", "msa_security_info_added", "msa_new_app_connected"})
TEMPLATE_LABELS = {
    "device_code_lure": gettext_lazy("device-code lure: wants its code typed at microsoft.com/devicelogin"),
    "msa_single_use_v2": gettext_lazy("single-use sign-in code"),
    "msa_single_use_v1": gettext_lazy("single-use sign-in code (older mail)"),
    "msa_security_code": gettext_lazy("security code"),
    "msa_security_code_personal": gettext_lazy("security code (personal account)"),
    "msa_password_reset": gettext_lazy("password reset code"),
    "msa_verify_email": gettext_lazy("email verification code"),
    "msa_code": gettext_lazy("Microsoft account code"),
    "entra_email_verification": gettext_lazy("work or school email verification"),
    "msa_unusual_signin": gettext_lazy("unusual sign-in activity"),
    "msa_security_info_added": gettext_lazy("security info added"),
    "msa_security_info_verification": gettext_lazy("security info verification"),
    "msa_new_app_connected": gettext_lazy("new app connected"),
    "msa_password_changed": gettext_lazy("password changed"),
    "unknown": gettext_lazy("in wording OTP Dash does not know yet"),
    "otp": gettext_lazy("one-time code"),
    "bank_otp": gettext_lazy("bank one-time code"),
    "steam_guard": gettext_lazy("Steam Guard code"),
}


class FindingQuerySet(models.QuerySet):
    def codes(self):
        """Genuine Microsoft code mails: what the triage buttons and the rules are about."""
        return self.filter(category=Finding.Category.MS_CODE)

    def answerable(self):
        """What its person answers "That was me" / "Not me": codes, and notices that the account changed."""
        return self.filter(
            Q(category=Finding.Category.MS_CODE) | Q(category=Finding.Category.MS_ALERT, template__in=CHANGE_NOTICES)
        )


class Finding(models.Model):
    """One message the detector flagged, once per member however many folders or mailboxes hold it."""

    class Category(models.TextChoices):
        MS_CODE = "ms_code", gettext_lazy("Microsoft code")
        MS_ALERT = "ms_alert", gettext_lazy("Microsoft security alert")
        PHISHING = "phishing", gettext_lazy("lookalike phishing")
        OTHER_CODE = "other_code", gettext_lazy("another provider's code")
        UNVERIFIED = "unverified", gettext_lazy("looks like a Microsoft code, sender unchecked")
        UNREADABLE = "unreadable", gettext_lazy("could not be read")

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("waiting for you")
        EXPECTED = "expected", gettext_lazy("that was me")
        UNSOLICITED = "unsolicited", gettext_lazy("not me")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="findings")
    message_key = models.CharField(
        max_length=300, help_text=gettext_lazy("Message-ID, or a hash of the header when it has none.")
    )
    message_id = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    sender = models.CharField(
        max_length=300, blank=True, help_text=gettext_lazy("From as written: display name and address.")
    )
    category = models.CharField(max_length=12, db_index=True, choices=Category.choices)
    provider = models.CharField(max_length=50, blank=True)
    template = models.CharField(max_length=50, blank=True)
    language = models.CharField(max_length=10, blank=True)
    codes_masked = models.JSONField(default=list)
    account_hint = models.CharField(max_length=254, blank=True)
    recipient = models.CharField(
        max_length=254, blank=True, help_text=gettext_lazy("The address the mail was delivered to.")
    )
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sender_auth = models.CharField(max_length=8)
    forwarded = models.BooleanField(default=False)
    signin = models.JSONField(null=True, blank=True)
    reasons = models.JSONField(default=list)
    error = models.CharField(max_length=200, blank=True)
    found_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # When it arrived: the sender's date, or when it was found if it had none or claimed the future.
    arrived_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    # Found by a mailbox's first scan and older than the history horizon: counted and shown as past
    # activity, but it opens no incident and asks nobody anything.
    history = models.BooleanField(default=False)
    status_reasons = models.JSONField(default=list, blank=True)
    status_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=gettext_lazy("Who decided; empty when the rules did."),
    )
    status_at = models.DateTimeField(null=True, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-arrived_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["owner", "message_key"], name="one_finding_per_message")]
        # Per member and time, covering category and status: the dashboard's counts and chart, and each
        # member's list, read index ranges only. arrived_at alone: everyone's newest first.
        indexes = [
            models.Index(fields=["owner", "arrived_at", "category", "status"], name="finding_owner_time"),
            models.Index(fields=["arrived_at"], name="finding_time"),
        ]

    def __str__(self):
        return f"{self.category} {self.subject[:40]}"

    @property
    def template_label(self) -> str:
        if self.template in TEMPLATE_LABELS:
            return TEMPLATE_LABELS[self.template]
        if self.template.endswith("_otp"):  # another provider's code: "google_otp" is a Google one-time code
            return _("%(provider)s one-time code") % {"provider": self.template[:-4].replace("_", " ").title()}
        return self.template.replace("_", " ")

    @property
    def signin_summary(self) -> str:
        """A sign-in notice's details in words: where from, on what, and when, in the viewer's zone like every
        other time on the page (Microsoft states it in UTC, stored as ISO 8601)."""
        signin = self.signin or {}
        device = " / ".join(filter(None, [signin.get("platform"), signin.get("browser")]))
        try:
            at = zoned(datetime.fromisoformat(signin["at"]))
        except (KeyError, TypeError, ValueError):
            at = ""
        parts = [signin.get("ip"), signin.get("country"), device, at]
        return ", ".join(str(part) for part in parts if part)

    @property
    def sender_domain(self) -> str:
        address = self.sender.rsplit("<", 1)[-1].rstrip(">")
        return address.rpartition("@")[2]

    @property
    def sender_verdict(self) -> str:
        """What the receiving server (or OTP Dash's own signature check) said about the From address,
        in words. A pass proves only that the named domain sent it, which a lookalike's domain can."""
        domain = self.sender_domain
        named = {
            "pass": _("checked: it really was sent by %(domain)s"),
            "fail": _("forged: the checks say %(domain)s did not send it"),
            "none": _("not proven: nothing confirms %(domain)s sent it"),
        }
        unnamed = {
            "pass": _("checked: it really was sent by the sender's domain"),
            "fail": _("forged: the checks say the sender's domain did not send it"),
            "none": _("not proven: nothing confirms the sender's domain sent it"),
        }
        if self.sender_auth not in named:
            return _("unchecked: the mail server wrote no verdict on who sent it")
        return named[self.sender_auth] % {"domain": domain} if domain else unnamed[self.sender_auth]

    @property
    def is_code(self) -> bool:
        return self.category == self.Category.MS_CODE

    @property
    def reports_a_change(self) -> bool:
        """A notice that the account changed (password, security info, a connected app): the
        question is "was it you?", because if not, someone is already inside."""
        return self.category == self.Category.MS_ALERT and self.template in CHANGE_NOTICES

    @property
    def is_answerable(self) -> bool:
        return self.is_code or self.reports_a_change

    @property
    def where_found(self) -> str:
        """The folders and mailboxes the mail sits in, for its owner to find and delete it."""
        places = [
            _("%(folder)s of %(mailbox)s") % {"folder": s.folder, "mailbox": s.mailbox.label}
            for s in self.sightings.all()
            if s.mailbox_id
        ]
        return ", ".join(dict.fromkeys(places))

    def vouched_for_by(self, verified: Finding) -> bool:
        """An unverified Microsoft code becomes a code when a verified one of its wave vouches for it
        (its sender is still unchecked, and its reasons say so). Once: False if it changed already."""
        account = verified.account_hint
        reason = WAVE_VOUCHED.format(account=account) if account else WAVE_VOUCHED_SAME_ACCOUNT
        changed = Finding.objects.filter(pk=self.pk, category=self.Category.UNVERIFIED).update(
            category=self.Category.MS_CODE, reasons=[*self.reasons, reason]
        )
        if changed:
            self.category, self.reasons = self.Category.MS_CODE, [*self.reasons, reason]
        return bool(changed)

    def classify_dict(self) -> dict:
        """The keys of `manage.py classify`, codes masked (they are stored masked)."""
        return {
            "category": self.category,
            "provider": self.provider or None,
            "template": self.template or None,
            "language": self.language or None,
            "codes": list(self.codes_masked),
            "account_hint": self.account_hint or None,
            "sent_at": self.sent_at.isoformat().replace("+00:00", "Z") if self.sent_at else None,
            "sender_auth": self.sender_auth,
            "forwarded": self.forwarded,
            "signin": self.signin,
            "reasons": list(self.reasons),
            "error": self.error or None,
        }


class Sighting(models.Model):
    """Where a finding was seen: a folder UID in a mailbox, or a file given to import_mail."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="sightings")
    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, null=True, blank=True, related_name="sightings")
    folder = models.CharField(max_length=500)
    uidvalidity = models.PositiveBigIntegerField(default=0)
    uid = models.PositiveBigIntegerField(default=0)
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "folder", "uidvalidity", "uid"], name="one_sighting_per_uid"),
            models.UniqueConstraint(
                fields=["finding", "folder"], condition=Q(mailbox__isnull=True), name="one_sighting_per_import_source"
            ),
        ]


class Watcher(models.Model):
    """A running watch process. Its row is its heartbeat; `key` names what it holds while it lives."""

    key = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=255)  # host and process id, for people reading the admin
    capacity = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField()

    def __str__(self):
        return self.name


class WatchLease(models.Model):
    mailbox = models.OneToOneField(Mailbox, on_delete=models.CASCADE, primary_key=True,
                                   related_name="watch_lease")  # fmt: skip
    watcher = models.ForeignKey(Watcher, null=True, blank=True, on_delete=models.SET_NULL, related_name="leases")
    expires_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def free(now) -> Q:
        return Q(watcher__isnull=True) | Q(expires_at__isnull=True) | Q(expires_at__lte=now)
