"""Each member's Microsoft accounts: the list, one account's page with its checklist, and the
breach-check settings. Access: accounts_visible_to (admins: the household; members: their own)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import admin_required, member_required, sensitive
from incidents import audit
from incidents.models import Incident
from scanner.models import Finding

from . import checklist, exposure, linking, masks
from .forms import BreachSettingForm
from .models import Account, BreachSetting, accounts_visible_to
from .overview import overview
from .tasks import queue_check


def _account_for(request, code) -> Account:
    return get_object_or_404(accounts_visible_to(request.member).select_related("member__user"), code=code)


@member_required
@require_GET
def account_list(request):
    accounts = list(accounts_visible_to(request.member).select_related("member"))
    return render(request, "msaccounts/account_list.html", {"views": overview(accounts, request.member.zone)})


@member_required
@require_GET
def account_detail(request, code):
    account = _account_for(request, code)
    zone = request.member.zone
    view = overview([account], zone)[0]
    per_day = dict(
        account.seen()
        .codes()
        .annotate(day=TruncDate("arrived_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
        .order_by()
    )
    waves = []
    for incident in Incident.objects.filter(account=account, kind=Incident.Kind.ACCOUNT).order_by("-opened_at"):
        first, last = incident.opened_at.astimezone(zone).date(), incident.last_seen_at.astimezone(zone).date()
        waves.append({"incident": incident, "days": sorted((d, n) for d, n in per_day.items() if first <= d <= last)})
    notices = account.seen().filter(category=Finding.Category.MS_ALERT).order_by("-arrived_at")
    marks = checklist.history(account)
    steps = [
        {"step": step, "state": checklist.state_of(view.current[step.key]), "mark": view.current[step.key],
         "history": marks.get(step.key, [])}
        for step in checklist.STEPS
    ]  # fmt: skip
    may_mark = checklist.may_mark(request.member, account)
    candidates = []
    if not account.resolved and may_mark:
        candidates = masks.fitting(account.address, linking.known_addresses(account.member))
    return render(
        request,
        "msaccounts/account_detail.html",
        {
            "account": account,
            "view": view,
            "waves": waves,
            "codes_total": sum(per_day.values()),
            "notices": notices,
            "steps": steps,
            "may_mark": may_mark,
            "candidates": candidates,
            "hints": exposure.hints_for(account),
        },
    )


@member_required
@require_POST
def account_step(request, code):
    account = _account_for(request, code)
    step = request.POST.get("step", "")
    try:
        checklist.mark(account, step, request.POST.get("state", ""), request.member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    anchor = f"#step-{step}" if step in checklist.BY_KEY else ""  # only a step's own anchor goes into the URL
    return redirect(reverse("account_detail", args=[account.code]) + anchor)


@member_required
@require_POST
def account_claim(request, code):
    """ "This is my address": the member (or an admin) says which address a masked hint stands for."""
    account = _account_for(request, code)
    if not checklist.may_mark(request.member, account):
        messages.error(request, "Only the member or an admin can say which address this is.")
        return redirect("account_detail", code=account.code)
    try:
        target = linking.merge_into_address(account, request.POST.get("address", ""), actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("account_detail", code=account.code)
    messages.success(request, f"{account.address} is now {target.address}.")
    return redirect("account_detail", code=target.code)


@admin_required
@sensitive
@require_http_methods(["GET", "POST"])
def breach_settings(request):
    setting, _ = BreachSetting.objects.get_or_create(household_id=request.member.household_id)
    form = BreachSettingForm(request.POST or None, instance=setting)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "check":
            queue_check(setting.household_id)
            messages.success(request, "The check runs in the background; results appear on each account's page.")
            return redirect("breach_settings")
        if form.is_valid():
            saved = form.save(commit=False)
            if saved.enabled and not setting.enabled_at:
                saved.enabled_by, saved.enabled_at = request.member.display_name, timezone.now()
            if not saved.enabled:
                saved.enabled_at, saved.enabled_by = None, ""
            saved.save()
            state = "on" if saved.enabled else "off"
            audit.record(setting.household_id, request.user, "breaches.settings", f"Have I Been Pwned checks {state}")
            if saved.enabled:
                queue_check(setting.household_id)  # the first answers now, not at tomorrow's run
            messages.success(request, f"Have I Been Pwned checks are {state}.")
            return redirect("breach_settings")
    return render(request, "msaccounts/breach_settings.html", {"form": form, "setting": setting})
