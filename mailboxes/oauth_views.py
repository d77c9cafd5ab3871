"""Linking a mailbox by signing in with Microsoft or Google (OAuth2), and reconnecting one whose
access the provider withdrew. Sensitive like linking with a password: a recent password check."""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.decorators import csp_update
from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import member_required, sensitive
from otpdash.mail import absolute
from scanner.tasks import queue_scan

from .models import Mailbox, OAuthFlow
from .oauth import flows
from .oauth.providers import available, provider


class OAuthStartForm(forms.Form):
    label = forms.CharField(max_length=100, help_text="A name for you, e.g. “Outlook”.")
    address = forms.EmailField(label="Email address", help_text="The mailbox's address: the one you sign in with.")
    flow = forms.ChoiceField(
        choices=[
            ("device", "Type a short code at the provider (works from any device)"),
            ("code", "Go to the provider and come back"),
        ],
        widget=forms.RadioSelect,
        initial="device",
    )


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
        messages.success(request, f"Signed in: {flow.label} is linked and scanned within a minute.")
        return redirect("mailboxes")
    template = "mailboxes/_oauth_device.html" if request.htmx else "mailboxes/oauth_device.html"
    return render(request, template, {"flow": flow, "state": state, "problem": problem})


@member_required
@require_GET
def oauth_callback(request):
    """The provider sends the member back here; the state must be one this member started."""
    if request.GET.get("error"):
        messages.error(request, f"The provider did not give access ({request.GET['error'][:80]}).")
        return redirect("mailboxes")
    try:
        mailbox = flows.finish_code(
            request.user, request.build_absolute_uri(), request.GET.get("state", ""), _redirect_uri()
        )
    except flows.FlowError as exc:
        return render(request, "mailboxes/oauth_problem.html", {"problem": str(exc)}, status=400)
    queue_scan(mailbox.pk)
    messages.success(request, f"Signed in: {mailbox.label} is linked and scanned within a minute.")
    return redirect("mailboxes")


@member_required
@sensitive
@require_POST
def oauth_reconnect(request, code):
    """One button: the same provider's sign-in again, for this mailbox."""
    mailbox = get_object_or_404(Mailbox, code=code, owner=request.user)
    p = provider(mailbox.auth)
    if p is None:
        messages.error(request, "Signing in with this provider is no longer set up here.")
        return redirect("mailboxes")
    try:
        if p.device_flow:
            flow = flows.start_device(request.user, p.name, mailbox.label, mailbox.username, mailbox=mailbox)
            return redirect("oauth_device", code=flow.code)
        _, url = flows.start_code(
            request.user, p.name, mailbox.label, mailbox.username, _redirect_uri(), mailbox=mailbox
        )
    except flows.FlowError as exc:
        messages.error(request, str(exc))
        return redirect("mailboxes")
    return redirect(url)
