"""Linking a mailbox by signing in with Microsoft or Google (OAuth2), and reconnecting one whose
access the provider withdrew. Sensitive like linking with a password: a recent password check."""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.decorators import csp_update
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import member_required, sensitive
from accounts.models import Member
from otpdash.mail import absolute
from scanner.tasks import queue_scan

from .models import Mailbox, OAuthFlow
from .oauth import flows
from .oauth.providers import available, provider


class OAuthStartForm(forms.Form):
    label = forms.CharField(max_length=100, help_text=gettext_lazy("A name for you, e.g. “Outlook”."))
    address = forms.EmailField(
        label=gettext_lazy("Email address"), help_text=gettext_lazy("The mailbox's address: the one you sign in with.")
    )
    flow = forms.ChoiceField(
        # The redirect first: a device code typed at microsoft.com/devicelogin is exactly what device-code
        # phishing asks people to do, so OTP Dash asks for it only where nothing else works.
        choices=[
            ("code", gettext_lazy("Sign in at the provider and come back here (recommended)")),
            (
                "device",
                gettext_lazy(
                    "Type a short code at the provider (when this server cannot be reached from your browser)"
                ),
            ),
        ],
        widget=forms.RadioSelect,
        initial="code",
    )


ADMIN_ROLES = (Member.Role.OWNER, Member.Role.ADMIN)


def _redirect_uri() -> str:
    return absolute(reverse("oauth_callback"))


def allow_forms_to_providers(request, response):
    """A form on this page may end at a provider's sign-in page (a POST answered by a redirect there):
    the CSP's form-action, 'self' everywhere else, names those providers for this response only."""
    origins = sorted({"{0.scheme}://{0.netloc}".format(urlsplit(p.authorize_url)) for p in available()})
    if not origins:
        return response
    return csp_update({"form-action": origins})(lambda _request: response)(request)


@member_required
@sensitive
@require_http_methods(["GET", "POST"])
def oauth_start(request, name):
    p = provider(name)
    if p is None:
        raise Http404("This provider is not set up here.")
    form = OAuthStartForm(request.POST or None)
    # Only the flows this install can finish: the device code where the provider has one for mail,
    # the redirect where the admin registered this install's address with the provider.
    choices = [
        c
        for c in form.fields["flow"].choices
        if (c[0] == "device" and p.device_flow) or (c[0] == "code" and p.redirect_flow)
    ]
    form.fields["flow"].choices = choices
    form.fields["flow"].initial = choices[0][0] if choices else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["flow"] == "device":
                flow = flows.start_device(request.user, name, data["label"], data["address"])
                return redirect("oauth_device", code=flow.code)
            flow, url = flows.start_code(request.user, name, data["label"], data["address"], _redirect_uri())
            return redirect(url)
        except flows.FlowError as exc:
            form.add_error(None, str(exc))
    status = 400 if form.errors else 200
    page = render(request, "mailboxes/oauth_start.html", {"form": form, "provider": p}, status=status)
    return allow_forms_to_providers(request, page)


@member_required
@require_GET
def microsoft_app(request):
    """What must be registered with Microsoft before an Outlook.com or Microsoft 365 mailbox can be
    linked (Microsoft refuses passwords for their IMAP). Admins do it; members read it and who to ask."""
    config = settings.OAUTH.get("microsoft") or {}
    redirect_uri = _redirect_uri()
    context = {
        "ready": provider("microsoft"),
        "redirect_uri": redirect_uri,
        # Microsoft takes an http:// redirect address only for localhost; the device code needs none.
        "redirect_takes": urlsplit(redirect_uri).scheme == "https" or urlsplit(redirect_uri).hostname == "localhost",
        "tenant": config.get("tenant") or "consumers",
        "admins": Member.objects.filter(household_id=request.member.household_id, role__in=ADMIN_ROLES)
        .exclude(pk=request.member.pk)
        .values_list("display_name", flat=True),
    }
    return render(request, "mailboxes/microsoft_app.html", context)


def _flow_for(request, code) -> OAuthFlow:
    return get_object_or_404(OAuthFlow, code=code, owner=request.user, kind=OAuthFlow.Kind.DEVICE)


@member_required
@require_GET
def oauth_device(request, code):
    """The code to type at the provider; htmx asks every few seconds whether it was entered."""
    flow = _flow_for(request, code)
    state, problem = "pending", ""
    try:
        state = flows.poll_device(flow)
    except flows.FlowError as exc:
        state, problem = "failed", str(exc)
    if state == "done":
        flow.refresh_from_db()
        queue_scan(flow.mailbox_id)
        if request.htmx:
            response = render(request, "mailboxes/_oauth_device.html", {"flow": flow, "state": state})
            response["HX-Redirect"] = reverse("mailboxes")
            return response
        messages.success(
            request, _("Signed in: %(mailbox)s is linked and scanned within a minute.") % {"mailbox": flow.label}
        )
        return redirect("mailboxes")
    template = "mailboxes/_oauth_device.html" if request.htmx else "mailboxes/oauth_device.html"
    return render(request, template, {"flow": flow, "state": state, "problem": problem})


@member_required
@require_GET
def oauth_callback(request):
    """The provider sends the member back here; the state must be one this member started."""
    if request.GET.get("error"):
        refused = {"error": request.GET["error"][:80]}
        messages.error(request, _("The provider did not give access (%(error)s).") % refused)
        return redirect("mailboxes")
    try:
        mailbox = flows.finish_code(
            request.user, request.build_absolute_uri(), request.GET.get("state", ""), _redirect_uri()
        )
    except flows.FlowError as exc:
        return render(request, "mailboxes/oauth_problem.html", {"problem": str(exc)}, status=400)
    queue_scan(mailbox.pk)
    linked = _("Signed in: %(mailbox)s is linked and scanned within a minute.") % {"mailbox": mailbox.label}
    messages.success(request, linked)
    return redirect("mailboxes")


@member_required
@sensitive
@require_POST
def oauth_reconnect(request, code):
    """One button: the same provider's sign-in again, for this mailbox."""
    mailbox = get_object_or_404(Mailbox, code=code, owner=request.user)
    p = provider(mailbox.auth)
    if p is None:
        messages.error(request, _("Signing in with this provider is no longer set up here."))
        return redirect("mailboxes")
    try:
        if p.device_flow and not p.redirect_flow:  # the redirect when registered: see OAuthStartForm
            flow = flows.start_device(request.user, p.name, mailbox.label, mailbox.username, mailbox=mailbox)
            return redirect("oauth_device", code=flow.code)
        _flow, url = flows.start_code(
            request.user, p.name, mailbox.label, mailbox.username, _redirect_uri(), mailbox=mailbox
        )
    except flows.FlowError as exc:
        messages.error(request, str(exc))
        return redirect("mailboxes")
    return redirect(url)
