"""How each person is told: preferences, Apprise channels, the alert outbox, one-time answer links
and the digests already sent."""

from __future__ import annotations

import secrets
import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import Member
from incidents.models import Incident, Severity
from otpdash import secretbox
from scanner.models import Finding

# A channel that failed this many times in a row is taken as failing for good and switched off.
FAILURES_BEFORE_DISABLE = 3


class Preference(models.Model):
    class Digest(models.TextChoices):
        WEEKLY = "weekly", gettext_lazy("weekly (Monday 08:00)")
        DAILY = "daily", gettext_lazy("daily (08:00)")
        OFF = "off", gettext_lazy("off")

    class AdminAlerts(models.TextChoices):
        ALL = "all", gettext_lazy("every incident in the household")
        HIGH = "high", gettext_lazy("high and critical incidents only")
        NONE = "none", gettext_lazy("none (only my own accounts)")

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="preference")
    digest = models.CharField(max_length=8, choices=Digest.choices, default=Digest.WEEKLY)
    empty_digests = models.BooleanField(
        default=False, help_text=gettext_lazy("Send the digest even when there is nothing to report.")
    )
    email_alerts = models.BooleanField(default=True, help_text=gettext_lazy("Alerts by email to my sign-in address."))
    min_severity = models.PositiveSmallIntegerField(
        choices=Severity.choices,
        default=Severity.LOW,
        help_text=gettext_lazy("Alerts about my own accounts from this severity up."),
    )
    admin_alerts = models.CharField(max_length=4, choices=AdminAlerts.choices, default=AdminAlerts.HIGH)


class Channel(models.Model):
    """An Apprise URL (ntfy, Telegram, Signal, Matrix, ...) or a signed webhook (notify/webhooks.py),
    sealed; shown only masked. A webhook's signing secret is made here, sealed, and shown once."""

    class Kind(models.TextChoices):
        APPRISE = "apprise", gettext_lazy("Apprise")
        WEBHOOK = "webhook", gettext_lazy("signed webhook")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="channels")
    label = models.CharField(max_length=80)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.APPRISE)
    # Only a webhook has one: the key its receiver checks each request's signature with.
    secret_sealed = models.TextField(blank=True, editable=False)
    url_sealed = models.TextField(editable=False)
    url_shown = models.CharField(
        max_length=300, editable=False, help_text=gettext_lazy("The URL with its secrets masked.")
    )
    enabled = models.BooleanField(default=True)
    failures = models.PositiveSmallIntegerField(default=0)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member_id", "label", "id"]

    def set_url(self, url: str, shown: str) -> None:
        self.url_sealed, self.url_shown = secretbox.seal(url), shown[:300]

    def get_url(self) -> str:
        return secretbox.unseal(self.url_sealed)

    def new_secret(self) -> str:
        """A fresh signing secret, sealed on the channel (the caller saves it): returned to be shown once."""
        secret = "whsec_" + secrets.token_urlsafe(32)
        self.secret_sealed = secretbox.seal(secret)
        return secret

    def get_secret(self) -> str:
        return secretbox.unseal(self.secret_sealed)

    def record(self, ok: bool, error: str = "") -> None:
        """One delivery's outcome, as plain updates; the third failure in a row switches it off."""
        now = timezone.now()
        if ok:
            Channel.objects.filter(pk=self.pk).update(failures=0, last_ok_at=now)
            return
        failures = (Channel.objects.filter(pk=self.pk).values_list("failures", flat=True).first() or 0) + 1
        fields = {"failures": failures, "last_error": error[:300], "last_error_at": now}
        if failures >= FAILURES_BEFORE_DISABLE:
            fields["enabled"] = False
        Channel.objects.filter(pk=self.pk).update(**fields)


class Alert(models.Model):
    """One event for one person, sent once: the (member, event) pair is unique, and sending claims the
    row with an update only if it is still pending."""

    class State(models.TextChoices):
        PENDING = "pending", gettext_lazy("waiting")
        SENDING = "sending", gettext_lazy("sending")
        SENT = "sent", gettext_lazy("sent")
        FAILED = "failed", gettext_lazy("failed")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="alerts")
    # What it is about: an incident, or (for "was this you?") one new code of the person's own.
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="alerts", null=True, blank=True)
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="alerts", null=True, blank=True)
    # Set: one webhook's delivery of an event, retried on its own; empty: the person's email and Apprise channels.
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True)
    event = models.CharField(max_length=60)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING, db_index=True)
    due_at = models.DateTimeField(db_index=True)
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["member", "event"], name="one_alert_per_event")]


class AnswerLink(models.Model):
    """ "That was me" / "Not me" from an alert: signed, for one person and one code, usable once, 7 days."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="answer_links")
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="answer_links")
    status = models.CharField(max_length=12, choices=[(s, s) for s in ("expected", "unsolicited")])
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)


class DigestSent(models.Model):
    """A digest claimed for one person and one period (2026-W49, or a day): inserted before sending,
    so two workers never send the same one."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="digests")
    period = models.CharField(max_length=12)
    claimed_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "period"], name="one_digest_per_period")]


class SnoozeQuerySet(models.QuerySet):
    def until(self, member, account_id: int | None, now):
        """When the member's silence on that account ends, or None if it is not silenced."""
        if account_id is None:
            return None
        return self.filter(member=member, account_id=account_id, until__gt=now).values_list("until", flat=True).first()


class Snooze(models.Model):
    """A person silenced one account's alerts until a time. Shown on the dashboard, so nobody reads
    the quiet as safety; alerts due meanwhile are recorded as not sent, with the reason."""

    DAYS = (1, 7, 30)

    objects = SnoozeQuerySet.as_manager()

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="snoozes")
    account = models.ForeignKey("msaccounts.Account", on_delete=models.CASCADE, related_name="snoozes")
    until = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "account"], name="one_snooze_per_account")]


class EscalationSetting(models.Model):
    """How long a high or critical incident may sit with nobody on it and no step marked before the
    household's admins are told (once). Without a row: the default."""

    DEFAULT_HOURS = 24

    household = models.OneToOneField("accounts.Household", on_delete=models.CASCADE, related_name="escalation_setting")
    after_hours = models.PositiveSmallIntegerField(
        default=DEFAULT_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text=gettext_lazy("Hours, from 1 to 168 (a week)."),
    )
