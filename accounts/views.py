"""People: the first owner, invitations, profiles, roles and removal."""

from __future__ import annotations

import logging
import smtplib

from allauth.account import views as allauth_views
from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from incidents import audit
from otpdash import mail
from otpdash.events import household_changed
from otpdash.qr import qr_svg

from .access import admin_required, member_required, sensitive
from .forms import HouseholdForm, InviteForm, JoinForm, ProfileForm, SetupForm
from .models import Household, Invitation, Member, SetupLock

User = get_user_model()
Role = Member.Role
log = logging.getLogger(__name__)


def is_set_up() -> bool:
    return User.objects.exists()


def _sign_in(request, user) -> None:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    record_authentication(request, user, method="password", username=user.get_username())


@require_http_methods(["GET", "POST"])
def setup(request):
    """First start: create the owner once. After any user exists this page is gone for good."""
    if is_set_up():
        messages.info(
            request, _("OTP Dash is already set up: sign in, or ask your household's owner for an invitation.")
        )
        return redirect("account_login")
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                SetupLock.objects.create(id=1)  # a second, concurrent set-up fails here
                user = form.create_user(is_staff=True, is_superuser=True)
                household = Household.objects.create(name=form.cleaned_data["household"])
                Member.objects.create(
                    user=user,
                    household=household,
                    role=Role.OWNER,
                    display_name=form.cleaned_data["display_name"],
                    time_zone=form.cleaned_data["time_zone"],
                    addresses=[form.cleaned_data["email"]],
                )
                audit.record(household.pk, user, "household.created", f"Created the household {household.name}")
        except IntegrityError:
            messages.info(request, _("Someone finished the set-up a moment ago: sign in instead."))
            return redirect("account_login")
        _sign_in(request, user)
        messages.success(request, _("Welcome! Protect this dashboard first: set up two-step sign-in below."))
        return redirect("mfa_activate_totp")
    return render(request, "accounts/setup.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def join(request, token):
    invitation = Invitation.from_token(token)
    if invitation is None:
        return render(request, "accounts/join_invalid.html", status=410)
    if request.user.is_authenticated:
        return render(request, "accounts/join_invalid.html", {"signed_in": True}, status=409)
    form = JoinForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # Claim the invitation first: a link used twice at once makes one account, not two.
            claimed = Invitation.objects.usable().filter(pk=invitation.pk).update(accepted_at=timezone.now())
            if not claimed:
                return render(request, "accounts/join_invalid.html", status=410)
            user = form.create_user()
            member = Member.objects.create(
                user=user,
                household=invitation.household,
                role=invitation.role,
                display_name=form.cleaned_data["display_name"],
                time_zone=form.cleaned_data["time_zone"],
                addresses=[invitation.email],
            )
            audit.record(
                invitation.household_id, user, "member.joined", f"{member.display_name} joined as {member.role}"
            )
        _sign_in(request, user)
        welcome = _("Welcome to %(household)s. Link a mailbox to start.") % {"household": invitation.household.name}
        messages.success(request, welcome)
        return redirect("me")
    return render(
        request, "accounts/join.html", {"form": form, "invitation": invitation}, status=400 if form.errors else 200
    )


@member_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.member)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            translation.activate(request.member.language_code)  # the confirmation is in the new language
            messages.success(request, _("Profile saved."))
            return redirect("profile")
        return render(request, "accounts/profile.html", {"form": form}, status=400)
    return render(request, "accounts/profile.html", {"form": form})


@member_required
@require_GET
def people(request):
    member = request.member
    context = {"people": Member.objects.filter(household_id=member.household_id).select_related("user")}
    if member.is_admin:
        context.update(
            invitations=Invitation.objects.usable().filter(household_id=member.household_id),
            invite_form=InviteForm(inviter=member),
            household_form=HouseholdForm(instance=member.household),
        )
    return render(request, "accounts/people.html", context)


def _invites_an_admin(request) -> bool:
    return request.POST.get("role") == Role.ADMIN


@admin_required
@sensitive(enabled=_invites_an_admin)  # a stolen session must not buy a permanent admin account
@require_POST
def invite(request):
    member = request.member
    form = InviteForm(request.POST, inviter=member)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("people")
    invitation = Invitation.objects.create(
        household_id=member.household_id,
        email=form.cleaned_data["email"],
        role=form.cleaned_data["role"],
        invited_by=request.user,
    )
    audit.record(
        member.household_id, request.user, "member.invited", f"Invited {invitation.email} as {invitation.role}"
    )
    link = request.build_absolute_uri(f"/join/{invitation.token()}/")
    sent, problem = False, ""
    if form.cleaned_data.get("send"):
        context = {"invitation": invitation, "link": link, "inviter": member}
        try:
            mail.send("accounts/invitation", context, to=invitation.email)
            sent = True
        except mail.MailUnavailable as exc:
            problem = str(exc)
    context = {"invitation": invitation, "link": link, "sent": sent, "problem": problem}
    # For the person beside you: their phone's camera opens the link, nothing to type or forward.
    shown = _("QR code to scan on a phone, to join as %(email)s") % {"email": invitation.email}
    context["qr"] = qr_svg(link, shown)
    return render(request, "accounts/invitation_link.html", context)


@admin_required
@require_POST
def revoke(request, code):
    invitation = get_object_or_404(Invitation, code=code, household_id=request.member.household_id)
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(revoked_at=timezone.now())
    audit.record(
        invitation.household_id,
        request.user,
        "member.invitation_revoked",
        f"Revoked the invitation for {invitation.email}",
    )
    messages.success(request, _("The invitation for %(email)s no longer works.") % {"email": invitation.email})
    return redirect("people")


def _person(request, code) -> Member:
    person = get_object_or_404(
        Member.objects.select_related("user"), code=code, household_id=request.member.household_id
    )
    if person.role == Role.OWNER or person.pk == request.member.pk:
        raise PermissionDenied("The owner's role cannot be changed here, and nobody changes their own.")
    if person.role == Role.ADMIN and request.member.role != Role.OWNER:
        raise PermissionDenied("Only the owner can change or remove an admin.")
    return person


@admin_required
@sensitive
@require_POST
def change_role(request, code):
    person = _person(request, code)
    role = request.POST.get("role", "")
    if role not in (Role.ADMIN, Role.MEMBER):
        messages.error(request, _("Choose admin or member."))
    elif role == Role.ADMIN and request.member.role != Role.OWNER:
        raise PermissionDenied("Only the owner can make someone an admin.")
    elif role != person.role:
        Member.objects.filter(pk=person.pk).update(role=role)
        audit.record(person.household_id, request.user, "member.role", f"{person.display_name} is now {role}")
        shown = {"name": person.display_name, "role": Role(role).label}
        messages.success(request, _("%(name)s is now %(role)s.") % shown)
    return redirect("people")


@admin_required
@sensitive
@require_http_methods(["GET", "POST"])
def remove_person(request, code):
    person = _person(request, code)
    if request.method == "POST":
        name, household_id = person.display_name, person.household_id
        with transaction.atomic():
            # The user goes, and with them their mailboxes, stored passwords, findings and sign-in data.
            person.user.delete()
            household_changed.send(sender=Member, household_id=household_id)
            audit.record(
                household_id,
                request.user,
                "member.removed",
                f"Removed {name} with their mailboxes and stored passwords",
            )
        messages.success(request, _("Removed %(name)s, their mailboxes and their stored passwords.") % {"name": name})
        return redirect("people")
    return render(
        request, "accounts/remove_person.html", {"person": person, "mailboxes": person.user.mailboxes.count()}
    )


@admin_required
@sensitive
@require_http_methods(["GET", "POST"])
def household_settings(request):
    if request.method == "GET":
        return redirect("people")  # the settings form lives on the People page (a bookmark, a reload)
    form = HouseholdForm(request.POST, instance=request.member.household)
    if form.is_valid():
        form.save()
        audit.record(
            request.member.household_id,
            request.user,
            "household.settings",
            f"Settings: name {form.instance.name}, two-step sign-in "
            f"{'required' if form.instance.require_mfa else 'optional'}",
        )
        messages.success(request, _("Household settings saved."))
    else:
        messages.error(request, _("Give the household a name (up to 100 characters)."))
    return redirect("people")


@require_http_methods(["GET", "POST"])
def password_reset(request):
    """allauth's reset by email when OTP Dash can send mail; without a mail server, who can help instead."""
    if not settings.EMAIL_HOST:
        return _mail_unavailable(request, _("Forgotten your password?"), reverse("account_login"), reset=True)
    return _sending_mail(request, allauth_views.password_reset, "account_reset_password")


@require_http_methods(["GET", "POST"])
def email_addresses(request):
    """allauth's address page. Adding an address or re-sending its confirmation sends mail: without a
    mail server that is said plainly, and a send that fails saves nothing half-way."""
    sends = request.method == "POST" and ("action_add" in request.POST or "action_send" in request.POST)
    if sends and not settings.EMAIL_HOST:
        return _mail_unavailable(request, _("Email addresses"), reverse("account_email"))
    if not sends:
        return allauth_views.email(request)
    return _sending_mail(request, allauth_views.email, "account_email")


@member_required
@require_GET
def mail_setup(request):
    """How to give OTP Dash a mail server (the banner's link). Everyone may read the guide; only admins
    see this install's settings and why the last mail failed (a server name, an error's words)."""
    context = {"configured": mail.configured()}
    if request.member.is_admin:
        context.update(
            problem=mail.problem(),
            current={
                "host": settings.EMAIL_HOST,
                "port": settings.EMAIL_PORT,
                "security": "SSL/TLS"
                if settings.EMAIL_USE_SSL
                else "STARTTLS"
                if settings.EMAIL_USE_TLS
                else pgettext("mail security", "none"),
                "user": settings.EMAIL_HOST_USER,
                "password": bool(settings.EMAIL_HOST_PASSWORD),
                "sender": settings.DEFAULT_FROM_EMAIL,
            },
        )
    return render(request, "accounts/mail_setup.html", context)


def _mail_unavailable(request, heading: str, back: str, reset: bool = False):
    return render(request, "accounts/mail_unavailable.html", {"heading": heading, "back": back, "reset": reset})


def _sending_mail(request, view, again: str):
    """Run an allauth view that sends mail in one transaction: if the mail server refuses, nothing it
    saved stays, and the person is told to try again later."""
    try:
        with transaction.atomic():
            return view(request)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("A mail could not be sent: %s", type(exc).__name__)
        messages.error(
            request,
            _("The mail server did not take the message. Try again in a while, or ask your household's owner."),
        )
        return redirect(again)


@member_required
@require_GET
def whoami(request):
    """Who is signed in, in one line: the lightest signed-in page (session and member lookup only),
    for a client to check its session, and bench-web's yardstick for the household pages."""
    return render(request, "accounts/whoami.html")
