"""Households and the people in them: each user belongs to one household with one role."""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import datetime, time, timedelta

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

INVITATION_DAYS = 7
# What counts as two-step sign-in: recovery codes alone are only a way back in, not a second step.
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
_INVITE_SALT = "otpdash.invitation"


def valid_time_zone(name: str) -> None:
    if name not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(name)r is not a time zone name; pick one from the list, such as Europe/Berlin.") % {"name": name}
        )


class Household(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100)
    require_mfa = models.BooleanField(
        default=False, help_text=gettext_lazy("Every member must set up two-step sign-in before using the dashboard.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class Member(models.Model):
    """A user's place in a household, and their profile (what the rules need to know about them)."""

    class Role(models.TextChoices):
        OWNER = "owner", pgettext_lazy("household role", "owner")
        ADMIN = "admin", pgettext_lazy("household role", "admin")
        MEMBER = "member", pgettext_lazy("household role", "member")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    display_name = models.CharField(max_length=80)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[valid_time_zone])
    quiet_start = models.TimeField(default=time(23, 0), help_text=gettext_lazy("Codes arriving from this time…"))
    quiet_end = models.TimeField(default=time(7, 0), help_text=gettext_lazy("…until this time are marked not yours."))
    addresses = models.JSONField(
        default=list, blank=True, help_text=gettext_lazy("Email addresses that are this member's.")
    )
    # "Never enter or read out a code you did not ask for": said once for all of the person's accounts.
    codes_acknowledged_at = models.DateTimeField(null=True, blank=True)
    # Blank until chosen: the browser's language at first sign-in, then the profile's choice.
    # "" until chosen (the browser's language is stored at first sign-in); a database default too, so
    # code from before this column (a rolling upgrade, an old migration's model) can still add members.
    language = models.CharField(max_length=10, blank=True, default="", db_default="", choices=settings.LANGUAGES)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name", "id"]

    def __str__(self):
        return self.display_name

    @property
    def is_admin(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.ADMIN)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def language_code(self) -> str:
        """The language pages and mails for this person are in."""
        return self.language or settings.LANGUAGE_CODE

    def in_own_language(self):
        """Mails and alerts are rendered in the recipient's language, not the worker's."""
        return translation.override(self.language_code)

    def take_browser_language(self, request) -> None:
        """At first sign-in a person who has not chosen yet gets the language their browser asks for."""
        if not self.language:
            self.language = translation.get_language_from_request(request)
            Member.objects.filter(pk=self.pk, language="").update(language=self.language)

    def has_two_step(self) -> bool:
        """An authenticator app or a passkey."""
        return Authenticator.objects.filter(user_id=self.user_id, type__in=SECOND_FACTORS).exists()

    def in_quiet_hours(self, moment: datetime) -> bool:
        """Quiet hours in the member's own time zone; a range like 23:00-07:00 wraps midnight."""
        if self.quiet_start == self.quiet_end:
            return False
        local = moment.astimezone(self.zone).time()
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= local < self.quiet_end
        return local >= self.quiet_start or local < self.quiet_end


class InvitationQuerySet(models.QuerySet):
    def usable(self):
        """Not used, not withdrawn, not expired."""
        return self.filter(
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            created_at__gt=timezone.now() - timedelta(days=INVITATION_DAYS),
        )


class Invitation(models.Model):
    """A signed, expiring link that lets one person join a household in one role."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Member.Role.choices, default=Member.Role.MEMBER)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    @property
    def expires_at(self) -> datetime:
        return self.created_at + timedelta(days=INVITATION_DAYS)

    @property
    def inviter_name(self) -> str:
        """Who made the invitation, by the name their household knows; empty once they are gone."""
        member = Member.objects.filter(user_id=self.invited_by_id, household_id=self.household_id).first()
        return member.display_name if member else ""

    def token(self) -> str:
        return signing.dumps(str(self.code), salt=_INVITE_SALT)

    @classmethod
    def from_token(cls, token: str) -> Invitation | None:
        """The invitation a link names while it can still be used; None when the link was altered,
        is too old, or its invitation was used or withdrawn."""
        try:
            code = signing.loads(token, salt=_INVITE_SALT, max_age=timedelta(days=INVITATION_DAYS))
        except signing.BadSignature:
            return None
        return cls.objects.usable().select_related("household").filter(code=code).first()


class SetupLock(models.Model):
    """One row, written when the first owner is created: a second concurrent "create the owner"
    fails on the primary key instead of creating two owners."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    created_at = models.DateTimeField(auto_now_add=True)
