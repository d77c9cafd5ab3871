"""The notifications page (preferences and channels), the one-time answer links of alerts, and the
digest's unsubscribe. Access: a person's own preferences and channels only; links carry their person."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import admin_required, member_required
from accounts.models import Member
from incidents import audit, triage, workflow
from msaccounts.models import Account
from otpdash import throttle
from otpdash.times import zoned

from .alerts import preference_of
from .forms import ChannelForm, EscalationForm, PreferenceForm, WebhookForm
from .links import LinkProblem, answer_link, take_link, unsubscribe_member
from .models import AnswerLink, Channel, EscalationSetting, Preference, Snooze
from .tasks import queue_test

# Each test makes the server send a request on the member's word: a few are plenty to get one right.
TESTS_PER_WINDOW, TEST_WINDOW_SECONDS = 5, 600


@member_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    member = request.member
    pref = preference_of(member)
    form = PreferenceForm(request.POST or None, instance=pref, is_admin=member.is_admin)
    if request.method == "POST" and form.is_valid():
        form.instance.member = member
        form.save()
        messages.success(request, _("Saved."))
        return redirect("notifications")
    return _page(request, form, ChannelForm())


def _escalation_form(member, data=None):
    if not member.is_admin:
        return None
    setting = EscalationSetting.objects.filter(household_id=member.household_id).first()
    return EscalationForm(data, instance=setting or EscalationSetting(household_id=member.household_id))


def _page(request, form, channel_form, status=200, escalation_form=None, webhook_form=None, **extra):
    return render(
        request,
        "notify/preferences.html",
        {
            "form": form,
            "channel_form": channel_form,
            "webhook_form": webhook_form or WebhookForm(),
            "channels": Channel.objects.filter(member=request.member),
            "email": request.user.email,
            "escalation_form": escalation_form or _escalation_form(request.member),
            **extra,
        },
        status=status,
    )


@member_required
@require_POST
def channel_add(request):
    form = ChannelForm(request.POST)
    if not form.is_valid():
        pref = preference_of(request.member)
        return _page(request, PreferenceForm(instance=pref, is_admin=request.member.is_admin), form, status=400)
    channel = Channel(member=request.member, label=form.cleaned_data["label"])
    channel.set_url(form.cleaned_data["url"], form.shown)
    channel.save()
    messages.success(request, _("Added %(label)s. Press Test to check it.") % {"label": channel.label})
    return redirect("notifications")


def _own_channel(request, code) -> Channel:
    return get_object_or_404(Channel, code=code, member=request.member)


@member_required
@require_POST
def channel_action(request, code):
    channel = _own_channel(request, code)
    action = request.POST.get("action", "")
    if action == "test":
        if not throttle.allow(f"channel-test:{request.member.pk}", TESTS_PER_WINDOW, TEST_WINDOW_SECONDS):
            messages.error(
                request,
                _("That is %(count)d tests in a few minutes: try again in 10 minutes.") % {"count": TESTS_PER_WINDOW},
            )
            return redirect("notifications")
        queue_test(channel)
        messages.success(
            request,
            _("A test is on its way to %(label)s; its result shows here in a moment.") % {"label": channel.label},
        )
    elif action == "enable":
        Channel.objects.filter(pk=channel.pk).update(enabled=True, failures=0)
        messages.success(request, _("%(label)s is on again.") % {"label": channel.label})
    elif action == "disable":
        Channel.objects.filter(pk=channel.pk).update(enabled=False)
        messages.success(request, _("%(label)s is off.") % {"label": channel.label})
    elif action == "remove":
        channel.delete()
        messages.success(request, _("Removed %(label)s.") % {"label": channel.label})
    else:
        messages.error(request, _("Unknown action."))
    return redirect("notifications")


@require_http_methods(["GET", "POST"])
def answer(request, token):
    """An alert's "That was me" / "Not me". The GET only shows what the link would do (mail scanners
    that follow links change nothing); the POST does it, once. The link speaks for its person on this
    page only: nobody is signed in by it."""
    try:
        link = answer_link(token)
    except LinkProblem as exc:
        return render(request, "notify/link_problem.html", {"problem": str(exc)}, status=exc.status)
    if request.user.is_authenticated and request.user.pk != link.member.user_id:
        # Whose code it is stays with its person: the link may have been forwarded to anyone.
        problem = _("This link is for someone else. Sign out first, or use the links sent to you.")
        return render(request, "notify/link_problem.html", {"problem": problem}, status=403)
    label = _("That was me") if link.status == "expected" else _("Not me")
    context = {"link": link, "label": label, "finding": link.finding, "token": token}
    if request.method == "GET":
        return render(request, "notify/answer_confirm.html", context)
    with transaction.atomic():
        used = AnswerLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now())
        if not used:
            problem = _("This link was already used: each works once.")
            return render(request, "notify/link_problem.html", {"problem": problem}, status=410)
        # The pair's other link goes too: one answer per code and alert.
        AnswerLink.objects.filter(member=link.member, finding=link.finding, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        triage.answer(link.member, link.finding, link.status, link.member.user)
    return render(request, "notify/answer_done.html", context)


@csrf_exempt  # RFC 8058 one-click: the mail provider POSTs without our form; the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        member = unsubscribe_member(token)
    except LinkProblem as exc:
        return render(request, "notify/link_problem.html", {"problem": str(exc)}, status=exc.status)
    if request.method == "GET":
        return render(request, "notify/unsubscribe.html", {"person": member})
    pref = preference_of(member)
    pref.digest = Preference.Digest.OFF
    pref.save()
    return render(request, "notify/unsubscribe.html", {"person": member, "done": True})


@admin_required
@require_POST
def escalation(request):
    """The household's escalation time, set by its owner or admins."""
    form = _escalation_form(request.member, request.POST)
    if form.is_valid():
        form.save()
        hours = form.instance.after_hours
        summary = f"Admins are told after {hours} h with nobody on a serious incident"
        audit.record(request.member.household_id, request.user, "alerts.escalation", summary)
        messages.success(request, _("Saved."))
        return redirect("notifications")
    pref = preference_of(request.member)
    form_prefs = PreferenceForm(instance=pref, is_admin=True)
    return _page(request, form_prefs, ChannelForm(), status=400, escalation_form=form)


@require_http_methods(["GET", "POST"])
def take(request, token):
    """An alert's "I'm on it". As with the answer links, the GET only shows what it would do; the
    POST does it as the link's person (nobody is signed in by it)."""
    try:
        member, incident = take_link(token)
    except LinkProblem as exc:
        return render(request, "notify/link_problem.html", {"problem": str(exc)}, status=exc.status)
    if request.user.is_authenticated and request.user.pk != member.user_id:
        problem = _("This link is for someone else. Sign out first, or use the links sent to you.")
        return render(request, "notify/link_problem.html", {"problem": problem}, status=403)
    context = {"person": member, "incident": incident}
    if request.method == "GET":
        return render(request, "notify/take_confirm.html", context)
    try:
        context["taken"] = workflow.take(incident, member.user)
    except ValidationError as exc:
        return render(request, "notify/link_problem.html", {"problem": " ".join(exc.messages)}, status=409)
    incident.refresh_from_db()
    context["taker"] = Member.objects.filter(user_id=incident.assignee_id).first()
    return render(request, "notify/take_done.html", context)


@member_required
@require_POST
def snooze(request, code):
    """Silence one of the person's own accounts for 1, 7 or 30 days, or turn its alerts back on."""
    account = get_object_or_404(Account, code=code, member=request.member)
    choice = request.POST.get("days", "")
    if choice == "off":
        Snooze.objects.filter(member=request.member, account=account).delete()
        messages.success(request, _("Alerts for %(address)s are on again.") % {"address": account.address})
    elif choice.isdigit() and int(choice) in Snooze.DAYS:
        until = timezone.now() + timedelta(days=int(choice))
        Snooze.objects.update_or_create(member=request.member, account=account, defaults={"until": until})
        audit.record(request.member.household_id, request.user, "alerts.snoozed",
                     f"{account.address}: alerts silenced for {choice} day{'s' if choice != '1' else ''}")  # fmt: skip
        shown = zoned(until, "j M Y H:i")
        messages.success(
            request,
            _("Alerts for %(address)s are silenced until %(until)s.") % {"address": account.address, "until": shown},
        )
    else:
        messages.error(request, _("Choose 1, 7 or 30 days, or turn the alerts back on."))
    return redirect("account_detail", code=account.code)
