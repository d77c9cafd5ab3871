"""The notifications page (preferences and channels), the one-time answer links of alerts, and the
digest's unsubscribe. Access: a person's own preferences and channels only; links carry their person."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import member_required
from incidents import triage
from otpdash import throttle

from .alerts import preference_of
from .forms import ChannelForm, PreferenceForm
from .links import LinkProblem, answer_link, unsubscribe_member
from .models import AnswerLink, Channel, Preference
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
        messages.success(request, "Saved.")
        return redirect("notifications")
    return _page(request, form, ChannelForm())


def _page(request, form, channel_form, status=200):
    return render(
        request,
        "notify/preferences.html",
        {
            "form": form,
            "channel_form": channel_form,
            "channels": Channel.objects.filter(member=request.member),
            "email": request.user.email,
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
    messages.success(request, f"Added {channel.label}. Press Test to check it.")
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
            messages.error(request, f"That is {TESTS_PER_WINDOW} tests in a few minutes: try again in 10 minutes.")
            return redirect("notifications")
        queue_test(channel)
        messages.success(request, f"A test is on its way to {channel.label}; its result shows here in a moment.")
    elif action == "enable":
        Channel.objects.filter(pk=channel.pk).update(enabled=True, failures=0)
        messages.success(request, f"{channel.label} is on again.")
    elif action == "disable":
        Channel.objects.filter(pk=channel.pk).update(enabled=False)
        messages.success(request, f"{channel.label} is off.")
    elif action == "remove":
        channel.delete()
        messages.success(request, f"Removed {channel.label}.")
    else:
        messages.error(request, "Unknown action.")
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
        problem = "This link is for someone else. Sign out first, or use the links sent to you."
        return render(request, "notify/link_problem.html", {"problem": problem}, status=403)
    label = "That was me" if link.status == "expected" else "Not me"
    context = {"link": link, "label": label, "finding": link.finding, "token": token}
    if request.method == "GET":
        return render(request, "notify/answer_confirm.html", context)
    with transaction.atomic():
        used = AnswerLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now())
        if not used:
            problem = "This link was already used: each works once."
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
