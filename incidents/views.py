"""Codes with their triage buttons, and incidents with their timeline. Access: see IncidentQuerySet.visible_to."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.access import admin_required, member_required
from accounts.models import Member
from msaccounts import checklist
from msaccounts.models import accounts_visible_to
from otpdash.paging import page_of, page_of_query
from scanner.models import Finding, Sighting

from . import triage, workflow
from .models import AuditEvent, Incident, Severity

# The codes page's four lists, each with its own words: Microsoft's codes are answered "That was me" or
# "Not me"; its notices, lookalikes and other providers' codes are shown for what they are. Mail that
# could not be read may be a code someone must see, so it is listed with the codes, and so is mail that
# reads as a Microsoft code whose sender nobody vouched for (never counted as one).
C = Finding.Category
KINDS = {
    "ms_code": (gettext_lazy("Microsoft codes"), [C.MS_CODE, C.UNVERIFIED, C.UNREADABLE]),
    "ms_alert": (gettext_lazy("Microsoft notices"), [C.MS_ALERT]),
    "phishing": (gettext_lazy("Lookalikes"), [C.PHISHING]),
    "other": (gettext_lazy("Other providers' codes"), [C.OTHER_CODE]),
}


def _incident_for(request, code) -> Incident:
    visible = Incident.objects.visible_to(request.member).select_related("member", "assignee__member", "account")
    return get_object_or_404(visible, code=code)


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@member_required
@require_GET
def code_list(request):
    member = request.member
    everyone = member.is_admin and request.GET.get("who") == "all"
    rows = (
        triage.visible_findings(member, everyone)
        .select_related("owner__member")
        .prefetch_related(Prefetch("sightings", queryset=Sighting.objects.select_related("mailbox")))
    )
    kind = request.GET.get("kind", "")
    if kind not in KINDS:
        kind = "ms_code"
    rows = rows.filter(category__in=KINDS[kind][1])
    status = request.GET.get("status", "")
    if kind == "ms_code" and status in Finding.Status.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    return render(
        request,
        "incidents/code_list.html",
        {
            "codes": page_of(request, rows),
            "everyone": everyone,
            "kind": kind,
            "kinds": [(key, label) for key, (label, _categories) in KINDS.items()],
            "status": status,
            "statuses": Finding.Status.choices,
            "window": triage.open_window_for(member),
        },
    )


@member_required
@require_GET
def finding_detail(request, code):
    """One mail as OTP Dash saw it: its owner's, or for an admin any of the household's. Nothing on it
    links anywhere the mail chose: its wording and link targets are shown as text."""
    member = request.member
    visible = triage.visible_findings(member, everyone=True).select_related("owner__member")
    finding = get_object_or_404(
        visible.prefetch_related(Prefetch("sightings", queryset=Sighting.objects.select_related("mailbox"))),
        code=code,
    )
    incidents = Incident.objects.visible_to(member).filter(findings=finding).distinct()
    events = finding.events.order_by("at", "id")
    account = getattr(getattr(finding, "account_link", None), "account", None)
    return render(
        request,
        "incidents/finding_detail.html",
        {"f": finding, "incidents": incidents, "events": events, "account": account},
    )


@member_required
@require_POST
def code_answer(request, code):
    """ "That was me" / "Not me": only the member whose code it is may answer."""
    finding = get_object_or_404(Finding.objects.answerable(), code=code, owner=request.user)
    status = request.POST.get("status", "")
    if status not in (Finding.Status.EXPECTED, Finding.Status.UNSOLICITED):
        if request.htmx:
            context = {"f": finding, "error": _("Choose one of the two buttons.")}
            return render(request, "incidents/_code_row.html", context, status=400)
        messages.error(request, _("Choose one of the two buttons."))
        return _back(request, "codes")
    triage.answer(request.member, finding, status, request.user)
    finding.refresh_from_db()
    if request.htmx:
        everyone = request.member.is_admin and request.POST.get("who") == "all"
        return render(request, "incidents/_code_row.html", {"f": finding, "everyone": everyone})
    messages.success(request, _("Noted: %(status)s.") % {"status": finding.get_status_display()})
    return _back(request, "codes")


@member_required
@require_POST
def sign_in_window(request):
    # The page it leads back to shows the open window (incidents/_window.html): said once, not twice.
    triage.open_window(request.member, request.user)
    return _back(request, "me")


@member_required
@require_GET
def incident_list(request):
    template = "incidents/_incident_rows.html" if request.htmx else "incidents/incident_list.html"
    return render(request, template, _list_context(request.member, request.GET))


def _list_context(member: Member, query: QueryDict) -> dict:
    """The list with its filters: state, severity, account, and (for admins) person. A first scan or a
    long wave leaves more than a page to go through."""
    state = query.get("state", "unresolved")
    rows = Incident.objects.visible_to(member).select_related("member", "assignee__member", "account")
    if state == "unresolved":
        rows = rows.unresolved()
    elif state in Incident.State.values:
        rows = rows.filter(state=state)
    else:
        state = "all"
    people = list(Member.objects.filter(household_id=member.household_id).order_by("display_name", "id"))
    who = next((m for m in people if str(m.code) == query.get("who", "")), None)
    if who is not None and member.is_admin:
        rows = rows.filter(member=who)
    else:
        who = None
    severity = query.get("severity", "")
    if severity.isdigit() and int(severity) in Severity.values:
        rows = rows.filter(severity__gte=int(severity))
    else:
        severity = ""
    accounts = list(accounts_visible_to(member).filter(incidents__isnull=False).distinct().order_by("address"))
    account = next((a for a in accounts if str(a.code) == query.get("account", "")), None)
    if account is not None:
        rows = rows.filter(account=account)
    return {
        "incidents": page_of_query(query, rows),
        "state": state,
        "states": Incident.State.choices,
        "people": people if member.is_admin else [],
        "who": str(who.code) if who else "",
        "severity": severity,
        "severities": [(str(value), label) for value, label in reversed(Severity.choices)],
        "accounts": accounts,
        "account": str(account.code) if account else "",
    }


@admin_required
@require_POST
def incident_bulk(request):
    """Acknowledge or resolve the ticked incidents of the list, with one note. Bad input re-shows the
    list as it was, ticks and note kept."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("incidents")
    chosen = _uuids(request.POST.getlist("incident"))
    incidents = list(Incident.objects.visible_to(request.member).filter(code__in=chosen))
    action = request.POST.get("action", "")
    try:
        if not incidents:
            raise ValidationError(_("Tick at least one incident first."))
        changed, skipped = workflow.bulk(incidents, request.user, action, request.POST.get("note", ""))
    except ValidationError as exc:
        context = _list_context(request.member, QueryDict(urlsplit(back).query))
        kept = {"ticked": set(map(str, chosen)), "note": request.POST.get("note", ""), "list_path": back}
        context |= {"error": " ".join(exc.messages), **kept}
        return render(request, "incidents/incident_list.html", context, status=400)
    if changed:
        n = len(changed)
        if action == "acknowledge":
            done = ngettext("%(count)d incident acknowledged.", "%(count)d incidents acknowledged.", n)
        else:
            done = ngettext("%(count)d incident resolved.", "%(count)d incidents resolved.", n)
        messages.success(request, done % {"count": n})
    for incident, why in skipped:
        messages.warning(request, _("%(title)s: %(why)s") % {"title": incident.title, "why": why})
    return redirect(back)


def _uuids(values: list[str]) -> list[uuid.UUID]:
    found = []
    for value in values[:500]:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue
    return found


@member_required
@require_GET
def incident_detail(request, code):
    member = request.member
    incident = _incident_for(request, code)
    findings = incident.findings.select_related("owner__member").order_by("arrived_at", "id")
    # The incident's own log and every triage answer on its codes, in one list.
    events = (
        AuditEvent.objects.filter(Q(incident=incident) | Q(finding__in=incident.findings.all()))
        .select_related("finding")
        .order_by("at", "id")
    )
    hidden = 0
    if not member.is_admin:
        # A campaign reaches others too: a member sees their own codes and how many others got.
        hidden = findings.exclude(owner_id=member.user_id).count()
        findings = findings.filter(owner_id=member.user_id)
        events = [e for e in events if e.finding is None or e.finding.owner_id == member.user_id]
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "findings": findings,
            "events": events,
            "hidden": hidden,
            "assignable": incident.assignable(),
            "may_take": workflow.may_take(incident, member),
            "next_step": _next_step(incident),
        },
    )


def _next_step(incident: Incident):
    if incident.account_id is None:
        return None
    return checklist.next_step_of(incident.account)


@member_required
@require_POST
def incident_take(request, code):
    """ "I'm on it", by the person it is about or an admin: stops reminders and escalation for everyone."""
    incident = _incident_for(request, code)
    try:
        taken = workflow.take(incident, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if taken:
            messages.success(request, _("Noted: you are on it. Nobody else gets reminders about it."))
        else:
            member = Member.objects.filter(user_id=incident.assignee_id).first()
            if member:
                messages.info(request, _("%(name)s is already on it.") % {"name": member.display_name})
            else:
                messages.info(request, _("Someone is already on it."))
    return redirect("incident_detail", code=incident.code)


@admin_required
@require_POST
def incident_action(request, code):
    incident = _incident_for(request, code)
    action = request.POST.get("action", "")
    try:
        if action == "acknowledge":
            workflow.acknowledge(incident, request.user)
        elif action == "resolve":
            workflow.resolve(incident, request.user, request.POST.get("note", ""))
        elif action == "reopen":
            workflow.reopen(incident, request.user)
        elif action == "assign":
            workflow.assign(incident, request.user, _assignee(request))
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Incident %(state)s.") % {"state": incident.get_state_display()})
    return redirect("incident_detail", code=incident.code)


def _assignee(request):
    code = request.POST.get("assignee", "")
    if not code:
        return None
    try:
        member = Member.objects.select_related("user").get(code=code, household_id=request.member.household_id)
    except (Member.DoesNotExist, ValidationError):
        raise ValidationError(_("Choose a member of this household.")) from None
    return member.user


@admin_required
@require_GET
def audit_log(request):
    events = AuditEvent.objects.filter(household_id=request.member.household_id).select_related("incident")
    return render(request, "incidents/audit_log.html", {"events": page_of(request, events)})
