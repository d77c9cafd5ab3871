"""Codes with their triage buttons, and incidents with their timeline. Access: see IncidentQuerySet.visible_to."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.access import admin_required, member_required
from accounts.models import Member
from msaccounts import checklist
from otpdash.paging import page_of
from scanner.models import Finding, Sighting

from . import triage, workflow
from .models import AuditEvent, Incident, Severity

# The codes page's four lists, each with its own words: Microsoft's codes are answered "That was me" or
# "Not me"; its notices, lookalikes and other providers' codes are shown for what they are. Mail that
# could not be read may be a code someone must see, so it is listed with the codes, and so is mail that
# reads as a Microsoft code whose sender nobody vouched for (never counted as one).
C = Finding.Category
KINDS = {
    "ms_code": ("Microsoft codes", [C.MS_CODE, C.UNVERIFIED, C.UNREADABLE]),
    "ms_alert": ("Microsoft notices", [C.MS_ALERT]),
    "phishing": ("Lookalikes", [C.PHISHING]),
    "other": ("Other providers' codes", [C.OTHER_CODE]),
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
            "kinds": [(key, label) for key, (label, _) in KINDS.items()],
            "status": status,
            "statuses": Finding.Status.choices,
            "window": triage.open_window_for(member),
        },
    )


@member_required
@require_POST
def code_answer(request, code):
    """ "That was me" / "Not me": only the member whose code it is may answer."""
    finding = get_object_or_404(Finding.objects.codes(), code=code, owner=request.user)
    status = request.POST.get("status", "")
    if status not in (Finding.Status.EXPECTED, Finding.Status.UNSOLICITED):
        if request.htmx:
            context = {"f": finding, "error": "Choose one of the two buttons."}
            return render(request, "incidents/_code_row.html", context, status=400)
        messages.error(request, "Choose one of the two buttons.")
        return _back(request, "codes")
    triage.answer(request.member, finding, status, request.user)
    finding.refresh_from_db()
    if request.htmx:
        everyone = request.member.is_admin and request.POST.get("who") == "all"
        return render(request, "incidents/_code_row.html", {"f": finding, "everyone": everyone})
    messages.success(request, f"Noted: {finding.get_status_display()}.")
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
    member = request.member
    state = request.GET.get("state", "unresolved")
    rows = Incident.objects.visible_to(member).select_related("member", "assignee__member", "account")
    if state == "unresolved":
        rows = rows.unresolved()
    elif state in Incident.State.values:
        rows = rows.filter(state=state)
    else:
        state = "all"
    # Whose and how severe: a first scan or a long wave leaves more than a page to go through.
    people = list(Member.objects.filter(household_id=member.household_id).order_by("display_name", "id"))
    who = next((m for m in people if str(m.code) == request.GET.get("who", "")), None)
    if who is not None:
        rows = rows.filter(member=who)
    severity = request.GET.get("severity", "")
    if severity.isdigit() and int(severity) in Severity.values:
        rows = rows.filter(severity__gte=int(severity))
    else:
        severity = ""
    template = "incidents/_incident_rows.html" if request.htmx else "incidents/incident_list.html"
    context = {
        "incidents": page_of(request, rows),
        "state": state,
        "states": Incident.State.choices,
        "people": people if member.is_admin else [],
        "who": str(who.code) if who else "",
        "severity": severity,
        "severities": [(str(value), label) for value, label in reversed(Severity.choices)],
    }
    return render(request, template, context)


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
            "next_step": _next_step(incident),
        },
    )


def _next_step(incident: Incident):
    if incident.account_id is None:
        return None
    return checklist.next_step(checklist.states([incident.account])[incident.account_id])


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
            raise ValidationError("Unknown action.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Incident {incident.get_state_display()}.")
    return redirect("incident_detail", code=incident.code)


def _assignee(request):
    code = request.POST.get("assignee", "")
    if not code:
        return None
    try:
        member = Member.objects.select_related("user").get(code=code, household_id=request.member.household_id)
    except (Member.DoesNotExist, ValidationError):
        raise ValidationError("Choose a member of this household.") from None
    return member.user


@admin_required
@require_GET
def audit_log(request):
    events = AuditEvent.objects.filter(household_id=request.member.household_id).select_related("incident")
    return render(request, "incidents/audit_log.html", {"events": page_of(request, events)})
