"""How each person is told: preferences, Apprise channels, the alert outbox, one-time answer links
and the digests already sent."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from accounts.models import Member
from incidents.models import Incident, Severity
from otpdash import secretbox
from scanner.models import Finding

# A channel that failed this many times in a row is taken as failing for good and switched off.
FAILURES_BEFORE_DISABLE = 3


class Preference(models.Model):
    class Digest(models.TextChoices):
        WEEKLY = "weekly", "weekly (Monday 08:00)"
        DAILY = "daily", "daily (08:00)"
        OFF = "off", "off"

    class AdminAlerts(models.TextChoices):
        ALL = "all", "every incident in the household"
        HIGH = "high", "high and critical incidents only"
        NONE = "none", "none (only my own accounts)"

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="preference")
    digest = models.CharField(max_length=8, choices=Digest.choices, default=Digest.WEEKLY)
    empty_digests = models.BooleanField(
        default=False, help_text="Send the digest even when there is nothing to report."
    )
    email_alerts = models.BooleanField(default=True, help_text="Alerts by email to my sign-in address.")
    min_severity = models.PositiveSmallIntegerField(
        choices=Severity.choices, default=Severity.LOW, help_text="Alerts about my own accounts from this severity up."
    )
    admin_alerts = models.CharField(max_length=4, choices=AdminAlerts.choices, default=AdminAlerts.HIGH)


class Channel(models.Model):
    """An Apprise URL (ntfy, Telegram, Signal, Matrix, ...), sealed; shown only in Apprise's privacy form."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="channels")
    label = models.CharField(max_length=80)
    url_sealed = models.TextField(editable=False)
    url_shown = models.CharField(max_length=300, editable=False, help_text="The URL with its secrets masked.")
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
        PENDING = "pending", "waiting"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="alerts")
    # What it is about: an incident, or (for "was this you?") one new code of the person's own.
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="alerts", null=True, blank=True)
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="alerts", null=True, blank=True)
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
