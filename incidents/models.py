"""Triage state around findings: sign-in windows, incidents and the audit log."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Household, Member
from scanner.models import Finding

WINDOW = timedelta(minutes=15)


class SignInWindow(models.Model):
    """ "I'm about to sign in": codes for this member inside the window are expected."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="windows")
    opened_at = models.DateTimeField()
    ends_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-opened_at"]


class Severity(models.IntegerChoices):
    LOW = 1, gettext_lazy("low")
    MEDIUM = 2, gettext_lazy("medium")
    HIGH = 3, gettext_lazy("high")
    CRITICAL = 4, gettext_lazy("critical")


class IncidentQuerySet(models.QuerySet):
    def visible_to(self, member: Member):
        """Admins see the whole household's incidents; a member sees their own and campaigns that reached them."""
        mine = self.filter(household_id=member.household_id)
        if member.is_admin:
            return mine
        reached = Q(kind=Incident.Kind.CAMPAIGN, findings__owner_id=member.user_id)
        return mine.filter(Q(member=member) | Q(pk__in=mine.filter(reached).values("pk")))

    def unresolved(self):
        return self.exclude(state=Incident.State.RESOLVED)


class Incident(models.Model):
    class Kind(models.TextChoices):
        # One per account per wave: every code, security alert and sign-in notice of the wave.
        ACCOUNT = "account", gettext_lazy("attack on one account")
        CAMPAIGN = "campaign", gettext_lazy("campaign across the household")
        # Lookalike mail, per address it was sent to and per week.
        PHISHING = "phishing", gettext_lazy("lookalike phishing")

    class State(models.TextChoices):
        OPEN = "open", gettext_lazy("open")
        ACKNOWLEDGED = "acknowledged", gettext_lazy("acknowledged")
        RESOLVED = "resolved", gettext_lazy("resolved")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="incidents",
        help_text=gettext_lazy("Whose incident it is; empty for a household campaign."),
    )
    account_hint = models.CharField(
        max_length=254, blank=True, help_text=gettext_lazy("Phishing: the address it was sent to.")
    )
    account = models.ForeignKey(
        "msaccounts.Account", on_delete=models.SET_NULL, null=True, blank=True, related_name="incidents"
    )
    period_start = models.DateField(null=True, blank=True, help_text=gettext_lazy("Phishing: the Monday of its week."))
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, default=Severity.MEDIUM)
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_incidents"
    )
    resolution_note = models.TextField(blank=True)
    opened_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    findings = models.ManyToManyField(Finding, through="IncidentFinding", related_name="incidents")

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = gettext_lazy("incident"), gettext_lazy("incidents")
        # Critical first everywhere, then the most recent.
        ordering = ["-severity", "-last_seen_at", "-id"]
        indexes = [models.Index(fields=["household", "state", "-last_seen_at"])]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        if self.kind == self.Kind.ACCOUNT and self.account_id:
            if self.member_id:
                return _("Attack on %(who)s's account %(address)s") % {
                    "who": self.member.display_name,
                    "address": self.account.address,
                }
            return _("Attack on the household's account %(address)s") % {"address": self.account.address}
        kind = str(self.get_kind_display())
        values = {
            "kind": kind[:1].upper() + kind[1:],  # not capitalize(): it would lower a translation's nouns
            "who": self.member.display_name if self.member_id else "",
            "target": f" ({self.account_hint})" if self.account_hint else "",
            "week": dateformat.format(self.period_start, "d M Y") if self.period_start else "",
        }
        if self.member_id and self.period_start:
            return _("%(kind)s: %(who)s%(target)s, week of %(week)s") % values
        if self.member_id:
            return _("%(kind)s: %(who)s%(target)s") % values
        if self.period_start:
            return _("%(kind)s: the household%(target)s, week of %(week)s") % values
        return _("%(kind)s: the household%(target)s") % values

    def assignable(self) -> list[Member]:
        """Who may take this incident: the household's owner and admins, and the member it is about."""
        people = Member.objects.filter(household_id=self.household_id).select_related("user")
        return [m for m in people if m.is_admin or m.pk == self.member_id]


class IncidentFinding(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE)
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "finding"], name="finding_once_per_incident")]


class AuditEvent(models.Model):
    """Who did what, when: every triage click, incident change and membership change.
    The actor's name is kept as text so the log still reads after a member is removed."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    actor_name = models.CharField(max_length=80, help_text=gettext_lazy("Empty when the rules acted."))
    action = models.CharField(max_length=40)
    summary = models.TextField()  # a resolution note is kept whole (up to 2,000 characters)
    incident = models.ForeignKey(Incident, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    finding = models.ForeignKey(Finding, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name, verbose_name_plural = gettext_lazy("audit event"), gettext_lazy("audit events")
        ordering = ["-at", "-id"]

    @property
    def who(self) -> str:
        return self.actor_name or _("OTP Dash rules")
