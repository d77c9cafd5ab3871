"""Each member's own mailboxes: link, test, edit, pause, scan now, remove. Nobody sees another's."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import member_required, recently_checked, sensitive
from otpdash import secretbox
from scanner.tasks import queue_scan

from .certificates import describe as describe_certificates
from .forms import MailboxForm
from .models import ConnectionCheck, Mailbox
from .oauth.providers import available, provider
from .oauth_views import allow_forms_to_providers
from .presets import PRESETS
from .tasks import queue_check


def _mailbox_for_user(request, code) -> Mailbox:
    """The one place that decides who may touch a mailbox: its owner, nobody else (404 otherwise)."""
    return get_object_or_404(Mailbox, code=code, owner=request.user)


def _my_mailboxes(request):
    return Mailbox.objects.filter(owner=request.user).with_findings().select_related("scan_progress")


@member_required
@require_GET
def mailbox_list(request):
    template = "mailboxes/_mailbox_rows.html" if request.htmx else "mailboxes/mailbox_list.html"
    page = render(request, template, {"mailboxes": _my_mailboxes(request), "oauth_providers": available()})
    return allow_forms_to_providers(request, page)  # Reconnect may lead to a provider


@member_required
@sensitive
@require_http_methods(["GET", "POST"])
def mailbox_new(request):
    return _edit(request, Mailbox(owner=request.user))


@member_required
@sensitive
@require_http_methods(["GET", "POST"])
def mailbox_edit(request, code):
    return _edit(request, _mailbox_for_user(request, code))


def _edit(request, mailbox: Mailbox):
    preset = PRESETS.get(request.GET.get("preset", ""))
    if request.method == "POST":
        form = MailboxForm(request.POST, request.FILES, instance=mailbox)
        action = request.POST.get("action")
        if action == "test":
            check = _start_check(request, form, mailbox)
            return render(request, "mailboxes/mailbox_form.html", _form_context(form, mailbox, preset, check))
        if action == "check-result":
            check = _check_view(_check_for_user(request, request.POST.get("check")))
            return render(request, "mailboxes/mailbox_form.html", _form_context(form, mailbox, preset, check))
        if form.is_valid():
            saved = form.save()
            messages.success(request, _("Saved %(mailbox)s. It is scanned within a minute.") % {"mailbox": saved.label})
            return redirect("mailboxes")
        return render(request, "mailboxes/mailbox_form.html", _form_context(form, mailbox, preset), status=400)
    initial = {"host": preset.host, "port": preset.port, "security": preset.security} if preset else None
    form = MailboxForm(instance=mailbox, initial=initial)
    return render(request, "mailboxes/mailbox_form.html", _form_context(form, mailbox, preset))


def _form_context(form, mailbox, preset, check=None) -> dict:
    return {
        "form": form, "mailbox": mailbox, "preset": preset, "presets": PRESETS.values(), "check": check,
        "trusted": describe_certificates(mailbox.ca_certificate) if mailbox.pk else [],
        "preset_oauth": bool(preset and preset.oauth and provider(preset.oauth)),
        # A provider that refuses passwords gets no password form: it could only fail at the server.
        "password_form": bool(mailbox.pk) or not (preset and preset.oauth_only),
    }  # fmt: skip


@member_required
@require_POST
def mailbox_test(request, code=None):
    """htmx: start testing the values in the form; the answer follows the check until it is done.
    For a saved mailbox an empty password means the stored one, sent only where it is saved to go."""
    mailbox = _mailbox_for_user(request, code) if code else Mailbox(owner=request.user)
    form = MailboxForm(request.POST, request.FILES, instance=mailbox)
    return render(request, "mailboxes/_check_result.html", {"check": _start_check(request, form, mailbox)})


@member_required
@require_GET
def check_status(request, code):
    """htmx: where a Test connection stands; polled until it is done."""
    return render(request, "mailboxes/_check_result.html", {"check": _check_view(_check_for_user(request, code))})


def _check_for_user(request, code) -> ConnectionCheck:
    return get_object_or_404(ConnectionCheck, code=code, owner=request.user)


def _start_check(request, form: MailboxForm, mailbox: Mailbox) -> dict:
    """Queue a test of the form's values without saving anything, or say why not."""
    if not form.is_valid():
        return {"invalid": True}
    data = form.cleaned_data
    password = data.get("password") or ""
    if not password and not recently_checked(request):
        # The stored password leaves this machine only after the member proves who they are.
        back = reverse("mailbox_edit", args=[mailbox.code])
        return {
            "invalid": True,
            "message": _("Testing with the stored password needs your OTP Dash password again."),
            "reauthenticate": f"{reverse('account_reauthenticate')}?next={back}",
        }
    if ConnectionCheck.recent_count(request.user) >= ConnectionCheck.RATE_LIMIT:
        minutes = int(ConnectionCheck.RATE_WINDOW.total_seconds() // 60)
        return {
            "invalid": True,
            "message": ngettext(
                "That is %(tests)d test in %(minutes)d minutes; wait a few minutes before the next one.",
                "That is %(tests)d tests in %(minutes)d minutes; wait a few minutes before the next one.",
                ConnectionCheck.RATE_LIMIT,
            )
            % {"tests": ConnectionCheck.RATE_LIMIT, "minutes": minutes},
        }
    ConnectionCheck.forget_old()
    try:
        sealed = secretbox.seal(password) if password else ""
    except secretbox.SecretUnreadable as exc:
        return {"invalid": True, "message": str(exc)}
    check = ConnectionCheck.objects.create(
        owner=request.user,
        mailbox=mailbox if mailbox.pk else None,
        host=form.instance.host,
        port=data["port"],
        security=data["security"],
        username=data["username"],
        ca_certificate=form.instance.ca_certificate,
        folders=data.get("folders") or [],
        secret_sealed=sealed,
    )
    queue_check(check)
    check.refresh_from_db()  # a synchronous cluster (tests) has already run it
    return _check_view(check)


def _check_view(check: ConnectionCheck) -> dict:
    result = check.result or {}
    pending = check.state != ConnectionCheck.State.DONE
    # Each step waits at most 15 s; far past that, the task cluster is not running.
    stuck = pending and timezone.now() - check.created_at > ConnectionCheck.STUCK_AFTER
    return {"code": check.code, "pending": pending and not stuck, "stuck": stuck, **result}


@member_required
@require_POST
def mailbox_pause(request, code):
    mailbox = _mailbox_for_user(request, code)
    if mailbox.enabled and mailbox.state != Mailbox.State.PAUSED:
        Mailbox.objects.filter(pk=mailbox.pk).update(enabled=False)
        messages.info(
            request, _("Paused %(mailbox)s: it is not read until you resume it.") % {"mailbox": mailbox.label}
        )
    else:
        mailbox.resume()
        messages.success(request, _("Resumed %(mailbox)s.") % {"mailbox": mailbox.label})
    return redirect("mailboxes")


@member_required
@require_POST
def mailbox_scan(request, code):
    mailbox = _mailbox_for_user(request, code)
    if mailbox.state == Mailbox.State.PAUSED or not mailbox.enabled:
        messages.error(request, _("%(mailbox)s is paused; resume it first.") % {"mailbox": mailbox.label})
    else:
        queue_scan(mailbox.pk)
        messages.success(request, _("A scan of %(mailbox)s is on its way.") % {"mailbox": mailbox.label})
    return redirect("mailboxes")


@member_required
@require_http_methods(["GET", "POST"])
def mailbox_remove(request, code):
    mailbox = _mailbox_for_user(request, code)
    if request.method == "POST":
        label = mailbox.label
        mailbox.delete()
        removed = _("Removed %(mailbox)s and its stored password. Its findings stay in the history.")
        messages.success(request, removed % {"mailbox": label})
        return redirect("mailboxes")
    return render(request, "mailboxes/mailbox_remove.html", {"mailbox": mailbox})
