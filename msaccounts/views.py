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
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import admin_required, member_required, sensitive
from accounts.models import Member
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
         "history": marks.get(step.key, []), "proof": view.proofs.get(step.key)}
        for step in view.steps
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
            "kinds": list(checklist.KIND_CHOICES),
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
    anchor = f"#step-{step}" if step in checklist.ALL_KEYS else ""  # only a step's own anchor goes into the URL
    return redirect(reverse("account_detail", args=[account.code]) + anchor)


@member_required
@require_POST
def account_kind(request, code):
    """ "This is a work or school account": the person's word chooses the checklist's pages."""
    account = _account_for(request, code)
    try:
        changed = checklist.set_kind(account, request.POST.get("kind", ""), request.member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if changed:
            messages.success(
                request,
                _("%(address)s is a %(kind)s: its steps follow.")
                % {"address": account.address, "kind": account.get_kind_display()},
            )
    return redirect(reverse("account_detail", args=[account.code]) + "#kind")


@member_required
@require_POST
def acknowledge_codes(request):
    """ "I understand: never enter a code I did not ask for", once for all of a person's accounts. An
    admin may say it for a member they told, as with the checklist's steps."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("me")
    person = _person_for(request, request.POST.get("member", ""))
    if person is None:
        messages.error(request, _("That person is not in your household: nothing was recorded."))
        return redirect(back)
    try:
        if checklist.acknowledge_codes(person, request.member):
            if person.pk == request.member.pk:
                said = _("Acknowledged: it is not asked again.")
            else:
                said = _("Acknowledged for %(name)s: it is not asked again.") % {"name": person.display_name}
            messages.success(request, said)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(back)


def _person_for(request, code: str) -> Member | None:
    """The member a form names, in the viewer's household; no name: the viewer."""
    if not code:
        return request.member
    try:
        return Member.objects.filter(household_id=request.member.household_id, code=code).first()
    except ValidationError:  # not a UUID
        return None


@member_required
@require_POST
def account_claim(request, code):
    """ "This is my address": the member (or an admin) says which address a masked hint stands for."""
    account = _account_for(request, code)
    if not checklist.may_mark(request.member, account):
        messages.error(request, _("Only the member or an admin can say which address this is."))
        return redirect("account_detail", code=account.code)
    try:
        target = linking.merge_into_address(account, request.POST.get("address", ""), actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("account_detail", code=account.code)
    messages.success(request, _("%(hint)s is now %(address)s.") % {"hint": account.address, "address": target.address})
    return redirect("account_detail", code=target.code)


@admin_required
@sensitive
@require_http_methods(["GET", "POST"])
def breach_settings(request):
    setting, _created = BreachSetting.objects.get_or_create(household_id=request.member.household_id)
    form = BreachSettingForm(request.POST or None, instance=setting)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "check":
            queue_check(setting.household_id)
            messages.success(request, _("The check runs in the background; results appear on each account's page."))
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
            messages.success(
                request,
                _("Have I Been Pwned checks are on.") if saved.enabled else _("Have I Been Pwned checks are off."),
            )
            return redirect("breach_settings")
    return render(request, "msaccounts/breach_settings.html", {"form": form, "setting": setting})
