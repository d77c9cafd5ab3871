"""The front page, the household dashboard and each member's own page."""

import uuid

from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts.access import member_required
from accounts.models import Member
from incidents.models import Incident
from incidents.triage import open_window_for, visible_findings
from mailboxes.models import Mailbox

from .chart import RANGES, range_from
from .history import past_activity
from .remediation import remediation
from .setup import setup_checklist
from .stats import household_summary


@require_GET
def home(request):
    """The first page: before anyone exists it leads to set-up; signed in, to the dashboard;
    otherwise it says what OTP Dash does (no data, so no sign-in needed)."""
    if request.user.is_authenticated:
        return redirect("dashboard")
    if not get_user_model().objects.exists():
        return redirect("setup")
    return render(request, "front/home.html")


@member_required
@require_GET
def household(request):
    """Everyone's aggregates; htmx polls the body fragment, without JavaScript it is a plain page.
    ?days= picks the chart's range and stays in the poll's URL."""
    days = range_from(request.GET.get("days"))
    context = {**household_summary(request.member, days), "ranges": list(RANGES), "days": days}
    if request.htmx:
        return render(request, "dashboard/_household_body.html", context)
    # The set-up checklist sits above the polled body: it changes when an admin acts, not with new mail.
    context["setup"] = setup_checklist(request.member)
    return render(request, "dashboard/household.html", context)


@member_required
@require_GET
def me(request):
    member = request.member
    return render(
        request,
        "dashboard/me.html",
        {
            "mailboxes": Mailbox.objects.filter(owner=request.user).with_findings(),
            "codes": visible_findings(member).select_related("owner__member")[:25],
            "incidents": Incident.objects.visible_to(member)
            .filter(member=member)
            .select_related("member", "account")[:10],
            "remediation": remediation(member),
            "window": open_window_for(member),
            "past": past_activity(member, member.zone),
        },
    )


@member_required
@require_GET
def past(request):
    """The first scan's finds from before OTP Dash watched: the member's own, or for an admin any
    member's of the household (?who=)."""
    person = request.member
    who = request.GET.get("who", "")
    if who and request.member.is_admin:
        person = Member.objects.filter(household_id=person.household_id, code=who).first() if _uuid(who) else None
        if person is None:
            raise Http404("No such member in this household.")
    summary = past_activity(person, request.member.zone)
    return render(request, "dashboard/past.html", {"person": person, "past": summary})


def _uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
