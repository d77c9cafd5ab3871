"""Signed one-time links for "That was me" / "Not me" in alerts, and the unsubscribe link of digests."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.urls import reverse

from accounts.models import Member
from otpdash.mail import absolute
from scanner.models import Finding

from .models import AnswerLink

LINK_DAYS = 7
UNSUBSCRIBE_DAYS = 365
_ANSWER_SALT = "otpdash.answer-link"
_UNSUBSCRIBE_SALT = "otpdash.unsubscribe"


def answer_urls(member: Member, finding: Finding) -> dict[str, str]:
    """Two links for one code of this person: "expected" and "unsolicited"."""
    urls = {}
    for status in (Finding.Status.EXPECTED, Finding.Status.UNSOLICITED):
        link = AnswerLink.objects.create(member=member, finding=finding, status=status)
        token = signing.dumps(str(link.code), salt=_ANSWER_SALT)
        urls[status] = absolute(reverse("answer_link", args=[token]))
    return urls


class LinkProblem(Exception):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def answer_link(token: str) -> AnswerLink:
    """The link a token names while it may be used; LinkProblem says why not (altered, too old, used)."""
    try:
        code = signing.loads(token, salt=_ANSWER_SALT, max_age=timedelta(days=LINK_DAYS))
    except signing.SignatureExpired:
        raise LinkProblem(f"This link is older than {LINK_DAYS} days and no longer works.", 410) from None
    except signing.BadSignature:
        raise LinkProblem("This link is not valid: it may have been cut short or changed.", 400) from None
    link = AnswerLink.objects.select_related("member__user", "finding").filter(code=code).first()
    if link is None:
        raise LinkProblem("This link no longer works: the code it was about is gone.", 410)
    if link.used_at is not None:
        raise LinkProblem("This link was already used: each works once.", 410)
    return link


def unsubscribe_url(member: Member) -> str:
    token = signing.dumps(str(member.code), salt=_UNSUBSCRIBE_SALT)
    return absolute(reverse("unsubscribe", args=[token]))


def unsubscribe_member(token: str) -> Member:
    """The person an unsubscribe link names; LinkProblem when it was altered, is more than a year old
    (a digest's link is for that digest's reader, not for whoever finds an old mail) or its person left."""
    try:
        code = signing.loads(token, salt=_UNSUBSCRIBE_SALT, max_age=timedelta(days=UNSUBSCRIBE_DAYS))
    except signing.SignatureExpired:
        raise LinkProblem(
            "This unsubscribe link is more than a year old and no longer works: use the link in a recent "
            "digest, or sign in and change it on Notifications.",
            410,
        ) from None
    except signing.BadSignature:
        raise LinkProblem("This unsubscribe link is not valid: it may have been cut short or changed.", 400) from None
    member = Member.objects.filter(code=code).first()
    if member is None:
        raise LinkProblem("This unsubscribe link no longer works: its person is no longer in the household.", 410)
    return member
