"""A member's linked mailboxes: where each connects, its sealed secret, its health, its scan
lock and how far a first scan has got; the OAuth2 sign-ins under way; and the "Test connection"
runs the page follows."""

from __future__ import annotations

import ipaddress
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from detect.receivers import Receiver, organisation_of_host
from otpdash import secretbox

from .certificates import CertificateError, ca_bundle
from .progress import progress_words, seconds_left
from .signals import mailbox_needs_reconnect

AUTH_FAILURES_BEFORE_PAUSE = 3
MAX_VERDICT_WRITERS = 8


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
        SSL = "ssl", gettext_lazy("SSL/TLS (usually port 993)")
        STARTTLS = "starttls", gettext_lazy("STARTTLS (usually port 143)")
        PLAIN = "plain", gettext_lazy("No encryption (only to this machine)")

    class State(models.TextChoices):
        NEW = "new", pgettext_lazy("mailbox state", "not scanned yet")
        OK = "ok", pgettext_lazy("mailbox state", "ok")
        ERROR = "error", pgettext_lazy("mailbox state", "error")
        AUTH_FAILED = "auth_failed", pgettext_lazy("mailbox state", "sign-in failed")
        PAUSED = "paused", pgettext_lazy("mailbox state", "paused")
        RECONNECT = "reconnect", pgettext_lazy("mailbox state", "reconnect needed")

    class Auth(models.TextChoices):
        PASSWORD = "password", pgettext_lazy("how a mailbox signs in", "password")
        MICROSOFT = "microsoft", gettext_lazy("Microsoft sign-in (OAuth2)")
        GOOGLE = "google", gettext_lazy("Google sign-in (OAuth2)")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mailboxes", verbose_name=gettext_lazy("owner")
    )
    label = models.CharField(max_length=100, verbose_name=gettext_lazy("label"))
    host = models.CharField(max_length=253, verbose_name=gettext_lazy("host"))
    port = models.PositiveIntegerField(
        default=993, validators=[MinValueValidator(1), MaxValueValidator(65535)], verbose_name=gettext_lazy("port")
    )
    security = models.CharField(
        max_length=10, choices=Security.choices, default=Security.SSL, verbose_name=gettext_lazy("security")
    )
    username = models.CharField(max_length=254, verbose_name=gettext_lazy("user name"))
    auth = models.CharField(max_length=10, choices=Auth.choices, default=Auth.PASSWORD)
    # The password, or for OAuth2 the tokens as JSON: sealed either way.
    secret_sealed = models.TextField(editable=False)
    ca_certificate = models.TextField(
        blank=True,
        help_text=gettext_lazy(
            "A CA certificate (PEM) to trust for this server, for a self-signed or private certificate."
        ),
    )
    folders = models.JSONField(
        default=list,
        blank=True,
        verbose_name=gettext_lazy("folders"),
        help_text=gettext_lazy("Empty: INBOX and the server's Junk folder."),
    )
    discovered_folders = models.JSONField(default=list, blank=True, editable=False)
    enabled = models.BooleanField(default=True, verbose_name=gettext_lazy("enabled"))
    poll_minutes = models.PositiveIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1440)],
        verbose_name=gettext_lazy("minutes between scans"),
    )
    backfill_days = models.PositiveIntegerField(
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        verbose_name=gettext_lazy("days read back"),
    )

    state = models.CharField(
        max_length=12, choices=State.choices, default=State.NEW, verbose_name=gettext_lazy("state")
    )
    last_success_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("last success at"))
    last_error = models.TextField(blank=True, verbose_name=gettext_lazy("last error"))
    last_error_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("last error at"))
    auth_failures = models.PositiveIntegerField(default=0, verbose_name=gettext_lazy("sign-in failures"))
    next_scan_at = models.DateTimeField(null=True, blank=True, db_index=True, verbose_name=gettext_lazy("next scan at"))
    examined_total = models.PositiveBigIntegerField(default=0, verbose_name=gettext_lazy("messages examined"))
    # The authserv-ids this mailbox's receiver writes on its verdicts, learned from mail whose border
    # was unambiguous, with the host they were learned for: {"host": ..., "ids": [...]}.
    verdict_writers = models.JSONField(default=dict, blank=True, editable=False)
    # The scan lock lives in the database so that two workers, on any machine, never scan together.
    lock_token = models.CharField(max_length=32, blank=True, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MailboxQuerySet.as_manager()

    class Meta:
        db_table = "scanner_mailbox"  # where the rows have lived since before this app held the model
        ordering = ["owner_id", "label", "id"]
        verbose_name_plural = gettext_lazy("mailboxes")

    def __str__(self):
        return f"{self.label} ({self.username}@{self.host})"

    def clean(self):
        errors = {}
        self.host = (self.host or "").strip().rstrip(".").lower()
        if self.security == self.Security.PLAIN and not settings.ALLOW_PLAIN_IMAP and not is_loopback_name(self.host):
            errors["security"] = _(
                "Unencrypted IMAP would send the password in the clear, so it is allowed only to this machine. "
                "Choose SSL/TLS or STARTTLS (the administrator can allow it with OTPDASH_ALLOW_PLAIN_IMAP=true)."
            )
        try:
            self.ca_certificate = ca_bundle(self.ca_certificate)
        except CertificateError as exc:
            errors["ca_certificate"] = str(exc)
        if not isinstance(self.folders, list) or not all(isinstance(f, str) and f.strip() for f in self.folders):
            errors["folders"] = _("Folders must be a list of folder names.")
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

    def receiver(self, keys=None) -> Receiver:
        """What the detector may know of this mailbox's receiver: its provider's organisation (from
        the IMAP host) and the verdict writers learned here; `keys` for our own DKIM checks."""
        return Receiver(
            organisation=organisation_of_host(self.host),
            authserv_ids=frozenset(self.trusted_verdict_writers()),
            keys=keys,
        )

    def trusted_verdict_writers(self) -> list[str]:
        learned = self.verdict_writers or {}
        return list(learned.get("ids", [])) if learned.get("host") == self.host.lower() else []

    def learn_verdict_writers(self, ids) -> None:
        """Add newly seen writers (a handful at most: a provider writes under one or two names)."""
        known = self.trusted_verdict_writers()
        merged = list(dict.fromkeys([*known, *(str(i)[:253] for i in ids)]))[:MAX_VERDICT_WRITERS]
        if merged != known:
            self.verdict_writers = {"host": self.host.lower(), "ids": merged}
            Mailbox.objects.filter(pk=self.pk).update(verdict_writers=self.verdict_writers)

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
            mailbox_needs_reconnect.send(sender=Mailbox, mailbox_id=self.pk)
            return
        Mailbox.objects.filter(pk=self.pk).update(**fields)

    def resume(self) -> None:
        Mailbox.objects.filter(pk=self.pk).update(
            enabled=True, state=self.State.NEW, auth_failures=0, next_scan_at=None
        )

    @property
    def first_scan(self) -> ScanProgress | None:
        """The first scan of a folder under way, to show how far it has got; None when none runs."""
        try:
            progress = self.scan_progress
        except ScanProgress.DoesNotExist:
            return None
        return progress if progress.running() else None


class ScanProgress(models.Model):
    """How far a folder's first read has got (also its re-read after the server renumbered it, or its
    rest after it stopped midway): the one pass long enough on a large mailbox to be worth watching. One
    row per mailbox, since its lock lets one scan read one folder at a time; written at the folder's
    start and once per batch, never per message."""

    # A read that has not moved for this long is not running, whatever the lock says (a hung connection).
    STALE_AFTER = timedelta(minutes=10)

    mailbox = models.OneToOneField(Mailbox, on_delete=models.CASCADE, primary_key=True, related_name="scan_progress")
    folder = models.CharField(max_length=500)
    examined = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = gettext_lazy("scan progress")

    def __str__(self):
        return f"{self.folder}: {self.examined} of {self.total}"

    @classmethod
    def recorder(cls, mailbox_id: int):
        """The scanner's progress hook for this mailbox: (folder, examined, total), examined 0 at a folder's start."""

        def record(folder: str, examined: int, total: int) -> None:
            now = timezone.now()
            if examined == 0:
                fields = dict(folder=folder, examined=0, total=total, started_at=now, updated_at=now)
                cls.objects.update_or_create(mailbox_id=mailbox_id, defaults=fields)
            else:
                cls.objects.filter(mailbox_id=mailbox_id, folder=folder).update(
                    examined=examined, total=total, updated_at=now
                )

        return record

    @property
    def done(self) -> bool:
        return self.examined >= self.total

    def running(self, now=None) -> bool:
        """Not done, still moving, and its scan still holds the mailbox's lock: a scan that failed has
        unlocked and a killed one's lease lapses within a minute, so a crash never reads as under way."""
        now = now or timezone.now()
        return not self.done and self.updated_at > now - self.STALE_AFTER and self.mailbox.is_scanning

    def seconds_left(self, now=None) -> float | None:
        now = now or timezone.now()
        left = seconds_left(self.examined, self.total, (self.updated_at - self.started_at).total_seconds())
        # Estimated at the last batch: the scan has gone on reading since.
        return None if left is None else max(left - (now - self.updated_at).total_seconds(), 0.0)

    @property
    def percent(self) -> int:
        return self.examined * 100 // self.total if self.total else 100

    @property
    def words(self) -> str:
        """'12,000 of 20,000 messages, about 2 min left'."""
        return progress_words(self.examined, self.total, self.seconds_left())


class OAuthFlow(models.Model):
    """A sign-in with a provider under way: the device code the member types at the provider, or the
    state (and PKCE verifier) an authorization-code redirect must come back with. Used once."""

    class Kind(models.TextChoices):
        DEVICE = "device", gettext_lazy("device code")
        CODE = "code", gettext_lazy("authorization code")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oauth_flows")
    provider = models.CharField(max_length=10)
    kind = models.CharField(max_length=6, choices=Kind.choices)
    label = models.CharField(max_length=100)
    address = models.CharField(max_length=254)
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.CASCADE, null=True, blank=True, help_text=gettext_lazy("Reconnecting this mailbox.")
    )
    state = models.CharField(max_length=64, db_index=True, blank=True)
    secret_sealed = models.TextField(
        blank=True, editable=False, help_text=gettext_lazy("Device code or PKCE verifier.")
    )
    user_code = models.CharField(max_length=32, blank=True)
    verification_uri = models.URLField(blank=True)
    interval = models.PositiveSmallIntegerField(default=5)
    expires_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "scanner_oauthflow"


class ConnectionCheck(models.Model):
    """One "Test connection", run as a background task so that a silent server never holds a web
    worker; the page follows it. A typed password is kept sealed only until the task has run."""

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("connection test", "waiting")
        DONE = "done", pgettext_lazy("connection test", "done")

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

    class Meta:
        db_table = "scanner_connectioncheck"

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
