"""Each member's own mailboxes: link, test, edit, pause, scan now, remove. Nobody sees another's."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import member_required, sensitive
from otpdash.secretbox import SecretUnreadable

from .checks import check_connection
from .forms import MailboxForm
from .imap.connect import Account
from .models import Mailbox
from .presets import PRESETS
from .scanning import policy
from .tasks import queue_scan


def _mailbox_for_user(request, code) -> Mailbox:
    """The one place that decides who may touch a mailbox: its owner, nobody else (404 otherwise)."""
    return get_object_or_404(Mailbox, code=code, owner=request.user)


def _my_mailboxes(request):
    return Mailbox.objects.filter(owner=request.user).with_findings()


@member_required
@require_GET
def mailbox_list(request):
    template = "scanner/_mailbox_rows.html" if request.htmx else "scanner/mailbox_list.html"
    return render(request, template, {"mailboxes": _my_mailboxes(request)})


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
        form = MailboxForm(request.POST, instance=mailbox)
        if request.POST.get("action") == "test":
            check = _check(form, mailbox)
            return render(request, "scanner/mailbox_form.html", _form_context(form, mailbox, preset, check))
        if form.is_valid():
            saved = form.save()
            messages.success(request, f"Saved {saved.label}. It is scanned within a minute.")
            return redirect("mailboxes")
        return render(request, "scanner/mailbox_form.html", _form_context(form, mailbox, preset), status=400)
    initial = {"host": preset.host, "port": preset.port, "security": preset.security} if preset else None
    form = MailboxForm(instance=mailbox, initial=initial)
    return render(request, "scanner/mailbox_form.html", _form_context(form, mailbox, preset))


def _form_context(form, mailbox, preset, check=None) -> dict:
    return {"form": form, "mailbox": mailbox, "preset": preset, "presets": PRESETS.values(), "check": check}


@member_required
@require_POST
def mailbox_test(request, code=None):
    """htmx: test the values in the form (for an existing mailbox, an empty password means the stored one)."""
    mailbox = _mailbox_for_user(request, code) if code else Mailbox(owner=request.user)
    form = MailboxForm(request.POST, instance=mailbox)
    return render(request, "scanner/_check_result.html", {"check": _check(form, mailbox)})


def _check(form: MailboxForm, mailbox: Mailbox):
    """Test the form's values without saving anything. Invalid input gets the form's own messages."""
    if not form.is_valid():
        return {"invalid": True}
    data = form.cleaned_data
    try:
        secret = data.get("password") or mailbox.get_secret()
    except SecretUnreadable as exc:
        return {"invalid": True, "message": str(exc)}
    account = Account(host=form.instance.host, port=data["port"], security=data["security"], username=data["username"],
                      secret=secret, ca_file=data.get("ca_file", ""), timeout=15)
    return check_connection(account, policy(), data.get("folders") or None)


@member_required
@require_POST
def mailbox_pause(request, code):
    mailbox = _mailbox_for_user(request, code)
    if mailbox.enabled and mailbox.state != Mailbox.State.PAUSED:
        Mailbox.objects.filter(pk=mailbox.pk).update(enabled=False)
        messages.info(request, f"Paused {mailbox.label}: it is not read until you resume it.")
    else:
        mailbox.resume()
        messages.success(request, f"Resumed {mailbox.label}.")
    return redirect("mailboxes")


@member_required
@require_POST
def mailbox_scan(request, code):
    mailbox = _mailbox_for_user(request, code)
    if mailbox.state == Mailbox.State.PAUSED or not mailbox.enabled:
        messages.error(request, f"{mailbox.label} is paused; resume it first.")
    else:
        queue_scan(mailbox.pk)
        messages.success(request, f"A scan of {mailbox.label} is on its way.")
    return redirect("mailboxes")


@member_required
@require_http_methods(["GET", "POST"])
def mailbox_remove(request, code):
    mailbox = _mailbox_for_user(request, code)
    if request.method == "POST":
        label = mailbox.label
        mailbox.delete()
        messages.success(request, f"Removed {label} and its stored password. Its findings stay in the history.")
        return redirect("mailboxes")
    return render(request, "scanner/mailbox_remove.html", {"mailbox": mailbox})
