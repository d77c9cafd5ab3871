"""The owner's set-up checklist: what a new install still lacks, each item judged by what is really
configured (never by a box someone ticked), with the page where it is done."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import SECOND_FACTORS, Household, Invitation, Member
from mailboxes.models import Mailbox
from otpdash import mail

# Backends that accept a mail and deliver it to nobody: a host set beside one of them still sends nothing.
NOT_DELIVERING = ("console", "locmem", "dummy", "filebased")


@dataclass(frozen=True)
class SetupItem:
    key: str
    title: str
    done: bool
    url: str
    hint: str


def mail_state() -> str:
    """ "ok" when a server is set up, the backend hands mail to it and the last send did not fail;
    otherwise "missing" or "failing"."""
    backend = settings.EMAIL_BACKEND.split(".")[-2:-1]  # "django.core.mail.backends.locmem.EmailBackend"
    if not mail.configured() or (backend and backend[0] in NOT_DELIVERING):
        return "missing"
    return "ok" if mail.problem() is None else "failing"


MAIL_HINTS = {
    "ok": gettext_lazy("Alerts, invitations and password resets go out by email."),
    "missing": gettext_lazy("Without one, nobody hears of a code they did not ask for unless they open this page."),
    "failing": gettext_lazy("A server is set, but the last mail could not be sent: see what it answered."),
}


def _household_facts(member: Member) -> dict:
    """Whether someone else is in (or invited to) the household, it has a mailbox, and this admin has
    a second step: one query, however big the household."""
    household = OuterRef("pk")
    facts = Household.objects.filter(pk=member.household_id).annotate(
        others=Exists(Member.objects.filter(household=household).exclude(pk=member.pk)),
        invited=Exists(Invitation.objects.usable().filter(household=household)),
        mailbox=Exists(Mailbox.objects.filter(owner__member__household=household)),
        two_step=Exists(Authenticator.objects.filter(user_id=member.user_id, type__in=SECOND_FACTORS)),
    )
    return facts.values("others", "invited", "mailbox", "two_step").first() or {}


def setup_items(member: Member) -> list[SetupItem]:
    facts = _household_facts(member)
    mail_now = mail_state()
    return [
        SetupItem(
            "mail",
            _("Give OTP Dash a mail server for alerts"),
            mail_now == "ok",
            reverse("mail_setup"),
            MAIL_HINTS[mail_now],
        ),
        SetupItem(
            "two_step",
            _("Turn on two-step sign-in for yourself"),
            bool(facts.get("two_step")),
            reverse("mfa_index"),
            _("An admin's password alone opens everyone's findings: add an authenticator app or a passkey."),
        ),
        SetupItem(
            "invite",
            _("Invite your household"),
            bool(facts.get("others") or facts.get("invited")),
            reverse("people") + "#invite",
            _("Each person links their own mailbox and answers for their own codes."),
        ),
        SetupItem(
            "mailbox",
            _("Link a mailbox"),
            bool(facts.get("mailbox")),
            reverse("mailbox_new"),
            _("OTP Dash reads it without changing anything and spots Microsoft codes nobody asked for."),
        ),
    ]


def setup_checklist(member: Member) -> list[SetupItem] | None:
    """The checklist for a household's owner and admins until every item is done; None otherwise."""
    if not member.is_admin:
        return None
    items = setup_items(member)
    return None if all(item.done for item in items) else items
