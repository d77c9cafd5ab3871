"""Personal API tokens: each member's own, named, shown once and stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Member

PREFIX = "otpd_"
# What the profile page shows of a token: enough to tell two apart, far too little to use.
SHOWN_CHARS = len(PREFIX) + 6
MAX_ACTIVE = 20
# last_used_at is written at most this often: a busy script must not turn every read into a write.
TOUCH_EVERY = timedelta(minutes=1)


def digest(secret: str) -> str:
    # 256 random bits need no slow hash: nobody can guess their way back from the digest.
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class Token(models.Model):
    """A bearer token for the read-only API; it reads what its member may read, as their role is now."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, help_text="What the token is for, in its owner's words.")
    prefix = models.CharField(max_length=16, editable=False, help_text="The token's first characters, shown.")
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = TokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, member: Member, name: str) -> tuple[Token, str]:
        """A new token and its secret: the secret is returned here once and never stored."""
        secret = PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(member=member, name=name, prefix=secret[:SHOWN_CHARS], secret_hash=digest(secret))
        return token, secret

    @classmethod
    def find(cls, secret: str) -> Token | None:
        """The token a secret belongs to, revoked or not (the caller says which), with its member."""
        if not secret.startswith(PREFIX):
            return None
        return (
            cls.objects.select_related("member__household", "member__user").filter(secret_hash=digest(secret)).first()
        )

    def revoke(self) -> bool:
        """False when it was revoked already (a second click, another tab)."""
        now = timezone.now()
        if not Token.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=now):
            return False
        self.revoked_at = now
        return True

    def touch(self) -> None:
        now = timezone.now()
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
        if Token.objects.filter(stale, pk=self.pk).update(last_used_at=now):
            self.last_used_at = now
