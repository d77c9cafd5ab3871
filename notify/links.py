"""Signed one-time links for "That was me" / "Not me" in alerts, and the unsubscribe link of digests."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Member
from otpdash.mail import absolute
from scanner.models import Finding

from .models import AnswerLink

LINK_DAYS = 7
UNSUBSCRIBE_DAYS = 365
_ANSWER_SALT = "otpdash.answer-link"
_UNSUBSCRIBE_SALT = "otpdash.unsubscribe"
_TAKE_SALT = "otpdash.take-link"


def answer_urls(member: Member, finding: Finding) -> dict[str, str]:
    """Two links for one code of this person: "expected" and "unsolicited"."""
    urls = {}
    for status in (Finding.Status.EXPECTED, Finding.Status.UNSOLICITED):
        link = AnswerLink.objects.create(member=member, finding=finding, status=status)
        token = signing.dumps(str(link.code), salt=_ANSWER_SALT)
        urls[status] = absolute(reverse("answer_link", args=[token]))
    return urls


def _too_old() -> str:
    return ngettext(
        "This link is older than %(days)d day and no longer works.",
        "This link is older than %(days)d days and no longer works.",
        LINK_DAYS,
    ) % {"days": LINK_DAYS}


class LinkProblem(Exception):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def _signed(token: str, salt: str):
    """What a link's token holds while it is within its days; LinkProblem when altered or too old."""
    try:
        return signing.loads(token, salt=salt, max_age=timedelta(days=LINK_DAYS))
    except signing.SignatureExpired:
        raise LinkProblem(_too_old(), 410) from None
    except signing.BadSignature:
        raise LinkProblem(_("This link is not valid: it may have been cut short or changed."), 400) from None


def answer_link(token: str) -> AnswerLink:
    """The link a token names while it may be used; LinkProblem says why not (altered, too old, used)."""
    code = _signed(token, _ANSWER_SALT)
    link = AnswerLink.objects.select_related("member__user", "finding").filter(code=code).first()
    if link is None:
        raise LinkProblem(_("This link no longer works: the code it was about is gone."), 410)
    if link.used_at is not None:
        raise LinkProblem(_("This link was already used: each works once."), 410)
    return link


def take_url(member: Member, incident) -> str:
    """ "I'm on it" from an alert: signed for this person and this incident. Saying it twice changes
    nothing, so the link needs no row of its own."""
    token = signing.dumps({"i": str(incident.code), "m": str(member.code)}, salt=_TAKE_SALT)
    return absolute(reverse("take_link", args=[token]))


def take_link(token: str):
    """(member, incident) a take link names; LinkProblem when altered, too old, or either is gone."""
    from incidents.models import Incident

    data = _signed(token, _TAKE_SALT)
    member = Member.objects.select_related("user").filter(code=data.get("m")).first()
    incident = Incident.objects.select_related("member", "account").filter(code=data.get("i")).first()
    if member is None or incident is None or incident.household_id != member.household_id:
        raise LinkProblem(_("This link no longer works: its incident or its person is gone."), 410)
    return member, incident


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
            _(
                "This unsubscribe link is more than a year old and no longer works: use the link in a recent "
                "digest, or sign in and change it on Notifications."
            ),
            410,
        ) from None
    except signing.BadSignature:
        raise LinkProblem(
            _("This unsubscribe link is not valid: it may have been cut short or changed."), 400
        ) from None
    member = Member.objects.filter(code=code).first()
    if member is None:
        raise LinkProblem(_("This unsubscribe link no longer works: its person is no longer in the household."), 410)
    return member
