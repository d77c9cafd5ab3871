"""CSV downloads of the codes, incidents and audit log pages, with the page's filters. Access is each
page's own: a member's codes and incidents are their own rows only; the audit log is for admins.

Subjects and senders are written by whoever sent the mail, so every cell that a spreadsheet would read
as a formula is defused. Rows are streamed: a household's years of codes never sit in memory at once.
"""

from __future__ import annotations

import csv
import uuid
from datetime import datetime

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import admin_required, member_required
from accounts.models import Member
from scanner.models import Finding

from . import audit, triage
from .models import AuditEvent, Incident, Severity

# A spreadsheet runs a cell beginning with one of these as a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 500
C = Finding.Category
# The codes page's kinds (incidents/views.py KINDS), by the same names its links carry.
KINDS = {
    "ms_code": [C.MS_CODE, C.UNVERIFIED, C.UNREADABLE],
    "ms_alert": [C.MS_ALERT],
    "phishing": [C.PHISHING],
    "other": [C.OTHER_CODE],
}


def defused(value) -> str:
    """The cell as text; one a spreadsheet would run as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def iso(moment: datetime | None, zone) -> str:
    """ISO 8601 with the offset, in the viewer's zone: the times the page shows, readable by any tool."""
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else ""


class _Echo:
    """csv.writer writes each row here and we hand it straight to the response."""

    def write(self, value: str) -> str:
        return value


def _csv(name: str, zone, header: list[str], rows) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # the byte-order mark makes Excel read the file as UTF-8, not as its local code page
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([defused(cell) for cell in row])

    day = timezone.localtime(timezone.now(), zone).date().isoformat()
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="otpdash-{name}-{day}.csv"'
    response["Cache-Control"] = "private, no-store"  # people's mail: no shared cache keeps a copy
    return response


@member_required
@require_GET
def codes_csv(request):
    member, zone = request.member, request.member.zone
    everyone = member.is_admin and request.GET.get("who") == "all"
    rows = triage.visible_findings(member, everyone).select_related("owner__member")
    kind = request.GET.get("kind", "")
    if kind in KINDS:
        rows = rows.filter(category__in=KINDS[kind])
    status = request.GET.get("status", "")
    if kind in ("", "ms_code") and status in Finding.Status.values:  # as on the page: statuses are the codes'
        rows = rows.filter(status=status)
    _logged(member, request.user, f"codes ({'everyone' if everyone else 'own'})")
    header = ["arrived", "member", "kind", "template", "subject", "sender", "delivered to", "account",
              "code (masked)", "status", "status reasons", "first-scan history", "reasons", "id"]  # fmt: skip

    def rows_out():
        for f in rows.iterator(chunk_size=CHUNK):
            yield [iso(f.arrived_at, zone), f.owner.member.display_name, f.get_category_display(), f.template_label,
                   f.subject, f.sender, f.recipient, f.account_hint, " ".join(f.codes_masked),
                   f.get_status_display() if f.is_code else "", "; ".join(f.status_reasons),
                   "yes" if f.history else "no", "; ".join(f.reasons), f.code]  # fmt: skip

    return _csv("codes", zone, header, rows_out())


@member_required
@require_GET
def incidents_csv(request):
    member, zone = request.member, request.member.zone
    rows = Incident.objects.visible_to(member).select_related("member", "assignee__member", "account")
    state = request.GET.get("state", "all")
    if state == "unresolved":
        rows = rows.unresolved()
    elif state in Incident.State.values:
        rows = rows.filter(state=state)
    # Person and account narrow the visible rows only: a code from elsewhere finds nothing, never theirs.
    who = request.GET.get("who", "")
    if member.is_admin and who:
        rows = rows.filter(member__code__in=_uuids(who))
    account = request.GET.get("account", "")
    if account:
        rows = rows.filter(account__code__in=_uuids(account))
    severity = request.GET.get("severity", "")
    if severity.isdigit() and int(severity) in Severity.values:
        rows = rows.filter(severity__gte=int(severity))
    _logged(member, request.user, "incidents")
    header = ["severity", "incident", "kind", "state", "person", "account", "opened", "last seen", "resolved",
              "assignee", "resolution note", "id"]  # fmt: skip

    def rows_out():
        for i in rows.iterator(chunk_size=CHUNK):
            assignee = ""
            if i.assignee_id:
                member_of = getattr(i.assignee, "member", None)
                assignee = member_of.display_name if member_of else i.assignee.get_username()
            yield [i.get_severity_display(), i.title, i.get_kind_display(), i.get_state_display(),
                   i.member.display_name if i.member_id else "the household", i.account.address if i.account_id else "",
                   iso(i.opened_at, zone), iso(i.last_seen_at, zone), iso(i.resolved_at, zone), assignee,
                   i.resolution_note, i.code]  # fmt: skip

    return _csv("incidents", zone, header, rows_out())


@admin_required
@require_GET
def audit_csv(request):
    member, zone = request.member, request.member.zone
    rows = AuditEvent.objects.filter(household_id=member.household_id).select_related("incident", "finding")
    _logged(member, request.user, "audit log")
    header = ["at", "who", "action", "summary", "incident", "code id"]

    def rows_out():
        for e in rows.iterator(chunk_size=CHUNK):
            yield [iso(e.at, zone), e.who, e.action, e.summary, e.incident.title if e.incident_id else "",
                   e.finding.code if e.finding_id else ""]  # fmt: skip

    return _csv("audit-log", zone, header, rows_out())


def _uuids(value: str) -> list[str]:
    """The value if it is a UUID, else nothing (a filter on a malformed code would be a database error)."""
    try:
        return [str(uuid.UUID(value))]
    except ValueError:
        return []


def _logged(member: Member, actor, what: str) -> None:
    # The household's mail leaves the dashboard in a file: the log says who took which list.
    audit.record(member.household_id, actor, "export.csv", f"Downloaded {what} as CSV")
