"""What the scanner stores: linked mailboxes, per-folder cursors, findings and where they were seen.

No message body and no full code is ever stored: a Finding keeps the detector's verdict with
codes masked to their last two digits.
"""

from __future__ import annotations

import ipaddress
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from otpdash import secretbox
from otpdash.times import zoned

from .imap.certificates import CertificateError, ca_bundle

AUTH_FAILURES_BEFORE_PAUSE = 3


def lock_lease() -> timedelta:
    """How long a scan's lock holds without a heartbeat: a killed scan frees its mailbox this soon."""
    return timedelta(seconds=settings.SCAN_LEASE_SECONDS)


def is_loopback_name(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class MailboxQuerySet(models.QuerySet):
    def with_findings(self):
        """Each mailbox with `findings`, the number of findings seen in it, in the same query."""
        return self.annotate(findings=models.Count("sightings__finding", distinct=True))

    def watchable(self):
        return self.filter(enabled=True).exclude(state__in=[Mailbox.State.PAUSED, Mailbox.State.RECONNECT])

    def due(self, now=None):
        now = now or timezone.now()
        return self.watchable().filter(Q(next_scan_at__isnull=True) | Q(next_scan_at__lte=now))


class Mailbox(models.Model):
    class Security(models.TextChoices):
        SSL = "ssl", "SSL/TLS (usually port 993)"
        STARTTLS = "starttls", "STARTTLS (usually port 143)"
        PLAIN = "plain", "No encryption (only to this machine)"

    class State(models.TextChoices):
        NEW = "new", "not scanned yet"
        OK = "ok", "ok"
        ERROR = "error", "error"
        AUTH_FAILED = "auth_failed", "sign-in failed"
        PAUSED = "paused", "paused"
        RECONNECT = "reconnect", "reconnect needed"

    class Auth(models.TextChoices):
        PASSWORD = "password", "password"
        MICROSOFT = "microsoft", "Microsoft sign-in (OAuth2)"
        GOOGLE = "google", "Google sign-in (OAuth2)"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mailboxes")
    label = models.CharField(max_length=100)
    host = models.CharField(max_length=253)
    port = models.PositiveIntegerField(default=993, validators=[MinValueValidator(1), MaxValueValidator(65535)])
    security = models.CharField(max_length=10, choices=Security.choices, default=Security.SSL)
    username = models.CharField(max_length=254)
    auth = models.CharField(max_length=10, choices=Auth.choices, default=Auth.PASSWORD)
    # The password, or for OAuth2 the tokens as JSON: sealed either way.
    secret_sealed = models.TextField(editable=False)
    ca_certificate = models.TextField(
        blank=True,
        help_text="A CA certificate (PEM) to trust for this server, for a self-signed or private certificate.",
    )
    folders = models.JSONField(default=list, blank=True, help_text="Empty: INBOX and the server's Junk folder.")
    discovered_folders = models.JSONField(default=list, blank=True, editable=False)
    enabled = models.BooleanField(default=True)
    poll_minutes = models.PositiveIntegerField(default=10, validators=[MinValueValidator(1), MaxValueValidator(1440)])
    backfill_days = models.PositiveIntegerField(default=90, validators=[MinValueValidator(1), MaxValueValidator(3650)])

    state = models.CharField(max_length=12, choices=State.choices, default=State.NEW)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    auth_failures = models.PositiveIntegerField(default=0)
    next_scan_at = models.DateTimeField(null=True, blank=True, db_index=True)
    examined_total = models.PositiveBigIntegerField(default=0)
    # The scan lock lives in the database so that two workers, on any machine, never scan together.
    lock_token = models.CharField(max_length=32, blank=True, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MailboxQuerySet.as_manager()

    class Meta:
        ordering = ["owner_id", "label", "id"]
        verbose_name_plural = "mailboxes"

    def __str__(self):
        return f"{self.label} ({self.username}@{self.host})"

    def clean(self):
        errors = {}
        self.host = (self.host or "").strip().rstrip(".").lower()
        if self.security == self.Security.PLAIN and not settings.ALLOW_PLAIN_IMAP and not is_loopback_name(self.host):
            errors["security"] = (
                "Unencrypted IMAP would send the password in the clear, so it is allowed only to this machine. "
                "Choose SSL/TLS or STARTTLS (the administrator can allow it with OTPDASH_ALLOW_PLAIN_IMAP=true)."
            )
        try:
            self.ca_certificate = ca_bundle(self.ca_certificate)
        except CertificateError as exc:
            errors["ca_certificate"] = str(exc)
        if not isinstance(self.folders, list) or not all(isinstance(f, str) and f.strip() for f in self.folders):
            errors["folders"] = "Folders must be a list of folder names."
        if errors:
            raise ValidationError(errors)

    def delete(self, *args, **kwargs):
        """The row is locked first: a watcher writing this mailbox's folder cursor at this moment then
        waits and fails on its own side, instead of this delete failing at commit on the cursor it
        had not seen (seen on PostgreSQL when a watched mailbox was removed)."""
        with transaction.atomic():
            list(Mailbox.objects.select_for_update().filter(pk=self.pk).values_list("pk", flat=True))
            return super().delete(*args, **kwargs)

    def set_secret(self, secret: str) -> None:
        self.secret_sealed = secretbox.seal(secret)

    def get_secret(self) -> str:
        return secretbox.unseal(self.secret_sealed)

    def watched_folders(self) -> list[str]:
        return list(self.folders or self.discovered_folders or ["INBOX"])

    @property
    def uses_oauth(self) -> bool:
        return self.auth != self.Auth.PASSWORD

    @property
    def is_scanning(self) -> bool:
        return bool(self.locked_until and self.locked_until > timezone.now())

    @property
    def state_label(self) -> str:
        state = self.display_state
        return "scanning" if state == "scanning" else self.State(state).label

    @property
    def display_state(self) -> str:
        if self.is_scanning:
            return "scanning"
        if not self.enabled:
            return "paused"
        return self.state

    # --- the lock: a lease claimed with a conditional UPDATE, so only one claimant wins ---
    def try_lock(self, token: str) -> bool:
        now = timezone.now()
        claimed = (
            Mailbox.objects.filter(pk=self.pk)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
            .update(lock_token=token, locked_until=now + lock_lease())
        )
        return claimed == 1

    def renew_lock(self, token: str) -> bool:
        renewed = Mailbox.objects.filter(pk=self.pk, lock_token=token).update(
            locked_until=timezone.now() + lock_lease()
        )
        return renewed == 1

    def unlock(self, token: str) -> None:
        Mailbox.objects.filter(pk=self.pk, lock_token=token).update(lock_token="", locked_until=None)

    # --- health: plain UPDATEs, so a concurrent edit of the form is never overwritten ---
    def record_success(self, examined: int, folders: list[str] | None = None) -> None:
        now = timezone.now()
        fields = dict(
            state=self.State.OK,
            last_success_at=now,
            auth_failures=0,
            next_scan_at=now + timedelta(minutes=self.poll_minutes),
            examined_total=F("examined_total") + examined,
        )
        if folders is not None:
            fields["discovered_folders"] = folders
        Mailbox.objects.filter(pk=self.pk).exclude(state=self.State.PAUSED).update(**fields)

    def record_failure(self, message: str, auth: bool = False, examined: int = 0, reconnect: bool = False) -> None:
        now = timezone.now()
        fields = dict(
            last_error=message,
            last_error_at=now,
            next_scan_at=now + timedelta(minutes=self.poll_minutes),
            examined_total=F("examined_total") + examined,
        )
        if reconnect:  # the provider withdrew access: only signing in again helps, so stop asking
            fields["state"] = self.State.RECONNECT
        elif auth:
            failures = Mailbox.objects.filter(pk=self.pk).values_list("auth_failures", flat=True).first() or 0
            failures += 1
            fields["auth_failures"] = failures
            if failures >= AUTH_FAILURES_BEFORE_PAUSE:
                fields["state"] = self.State.PAUSED
                fields["last_error"] = (
                    f"{message} Paused after {failures} failed sign-ins in a row, so the server does not lock "
                    "the account; fix the password and resume."
                )
            else:
                fields["state"] = self.State.AUTH_FAILED
        else:
            fields["state"] = self.State.ERROR
        if reconnect and Mailbox.objects.filter(pk=self.pk).exclude(state=self.State.RECONNECT).update(**fields):
            from .signals import mailbox_needs_reconnect

            mailbox_needs_reconnect.send(sender=Mailbox, mailbox_id=self.pk)
            return
        Mailbox.objects.filter(pk=self.pk).update(**fields)

    def resume(self) -> None:
        Mailbox.objects.filter(pk=self.pk).update(
            enabled=True, state=self.State.NEW, auth_failures=0, next_scan_at=None
        )


class OAuthFlow(models.Model):
    """A sign-in with a provider under way: the device code the member types at the provider, or the
    state (and PKCE verifier) an authorization-code redirect must come back with. Used once."""

    class Kind(models.TextChoices):
        DEVICE = "device", "device code"
        CODE = "code", "authorization code"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oauth_flows")
    provider = models.CharField(max_length=10)
    kind = models.CharField(max_length=6, choices=Kind.choices)
    label = models.CharField(max_length=100)
    address = models.CharField(max_length=254)
    mailbox = models.ForeignKey(
        "Mailbox", on_delete=models.CASCADE, null=True, blank=True, help_text="Reconnecting this mailbox."
    )
    state = models.CharField(max_length=64, db_index=True, blank=True)
    secret_sealed = models.TextField(blank=True, editable=False, help_text="Device code or PKCE verifier.")
    user_code = models.CharField(max_length=32, blank=True)
    verification_uri = models.URLField(blank=True)
    interval = models.PositiveSmallIntegerField(default=5)
    expires_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class FolderCursor(models.Model):
    """How far a folder has been read: only UIDs above last_uid, under this UIDVALIDITY, are new."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="cursors")
    folder = models.CharField(max_length=500)
    uidvalidity = models.PositiveBigIntegerField()
    last_uid = models.PositiveBigIntegerField(default=0)
    examined = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mailbox", "folder"], name="one_cursor_per_folder")]


# The detector's template names in words (facts: which Microsoft mail each one is).
TEMPLATE_LABELS = {
    "msa_single_use_v2": "single-use sign-in code",
    "msa_single_use_v1": "single-use sign-in code (older mail)",
    "msa_security_code": "security code",
    "msa_security_code_personal": "security code (personal account)",
    "msa_password_reset": "password reset code",
    "msa_verify_email": "email verification code",
    "msa_code": "Microsoft account code",
    "entra_email_verification": "work or school email verification",
    "msa_unusual_signin": "unusual sign-in activity",
    "msa_security_info_added": "security info added",
    "msa_security_info_verification": "security info verification",
    "msa_new_app_connected": "new app connected",
    "msa_password_changed": "password changed",
}


class FindingQuerySet(models.QuerySet):
    def codes(self):
        """Genuine Microsoft code mails: what the triage buttons and the rules are about."""
        return self.filter(category=Finding.Category.MS_CODE)


class Finding(models.Model):
    """One message the detector flagged, once per member however many folders or mailboxes hold it."""

    class Category(models.TextChoices):
        MS_CODE = "ms_code", "Microsoft code"
        MS_ALERT = "ms_alert", "Microsoft security alert"
        PHISHING = "phishing", "lookalike phishing"
        OTHER_CODE = "other_code", "another provider's code"
        UNREADABLE = "unreadable", "could not be read"

    class Status(models.TextChoices):
        PENDING = "pending", "waiting for you"
        EXPECTED = "expected", "that was me"
        UNSOLICITED = "unsolicited", "not me"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="findings")
    message_key = models.CharField(max_length=300, help_text="Message-ID, or a hash of the header when it has none.")
    message_id = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    category = models.CharField(max_length=12, db_index=True, choices=Category.choices)
    provider = models.CharField(max_length=50, blank=True)
    template = models.CharField(max_length=50, blank=True)
    language = models.CharField(max_length=10, blank=True)
    codes_masked = models.JSONField(default=list)
    account_hint = models.CharField(max_length=254, blank=True)
    recipient = models.CharField(max_length=254, blank=True, help_text="The address the mail was delivered to.")
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
    status_reasons = models.JSONField(default=list, blank=True)
    status_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who decided; empty when the rules did.",
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
        return TEMPLATE_LABELS.get(self.template, self.template.replace("_", " "))

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
    def is_code(self) -> bool:
        return self.category == self.Category.MS_CODE

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


class ConnectionCheck(models.Model):
    """One "Test connection", run as a background task so that a silent server never holds a web
    worker; the page follows it. A typed password is kept sealed only until the task has run."""

    class State(models.TextChoices):
        QUEUED = "queued", "waiting"
        DONE = "done", "done"

    # Tests a member may start in RATE_WINDOW: enough to fix a typo or two, too few to scan a network.
    RATE_LIMIT = 10
    RATE_WINDOW = timedelta(minutes=10)
    KEEP = timedelta(days=1)
    STUCK_AFTER = timedelta(minutes=2)

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    host = models.CharField(max_length=253)
    port = models.PositiveIntegerField()
    security = models.CharField(max_length=10, choices=Mailbox.Security.choices)
    username = models.CharField(max_length=254)
    ca_certificate = models.TextField(blank=True)
    folders = models.JSONField(default=list, blank=True)
    # Sealed typed password; empty means the mailbox's stored one. Cleared once the task has run.
    secret_sealed = models.TextField(blank=True, editable=False)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    @classmethod
    def recent_count(cls, owner) -> int:
        return cls.objects.filter(owner=owner, created_at__gte=timezone.now() - cls.RATE_WINDOW).count()

    @classmethod
    def forget_old(cls) -> None:
        cls.objects.filter(created_at__lt=timezone.now() - cls.KEEP).delete()

    def secret(self) -> str:
        if self.secret_sealed:
            return secretbox.unseal(self.secret_sealed)
        if self.mailbox is None:
            raise secretbox.SecretUnreadable("no password was given for this test")
        return self.mailbox.get_secret()

    def finish(self, result: dict) -> None:
        ConnectionCheck.objects.filter(pk=self.pk).update(state=self.State.DONE, result=result, secret_sealed="")


from .leases import Watcher, WatchLease  # noqa: E402, F401  (models of this app, kept in their own module)
