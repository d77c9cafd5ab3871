"""The read-only JSON API at /api/v1/, built with Django Ninja.

Why Ninja rather than Django REST framework: Ninja writes the OpenAPI 3.1 description itself from
the typed schemas (schemas.py), has bearer-token auth classes and pagination hooks, and its
operations are plain Django views under our own middleware. DRF would need drf-spectacular for
OpenAPI 3.1 and a larger serializer layer for the same six read-only routes.

Access is the pages' own: Incident.objects.visible_to, accounts_visible_to and the codes page's
visible_findings decide what a token reads, with its member's role as it is at each request.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import wraps
from typing import Literal
from uuid import UUID

from django.middleware.http import ConditionalGetMiddleware
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.decorators import decorator_from_middleware
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query
from ninja.decorators import decorate_view
from ninja.errors import HttpError

from accounts.models import Member
from incidents.models import Incident
from incidents.triage import visible_findings
from mailboxes.models import Mailbox
from msaccounts.models import accounts_visible_to
from scanner.models import Finding

from . import cursor, errors, present, schemas
from .auth import TokenAuth
from .summary import household_counts

api = NinjaAPI(
    title="OTP Dash API",
    version="1",
    description="Read-only: what OTP Dash knows about the household, as a personal token's member may see it.",
    openapi_url="/schema",
    docs_url=None,  # Ninja's docs page loads scripts that the strict CSP refuses; the schema is the reference
    urls_namespace="api",
    auth=TokenAuth(),
)
errors.install(api)

ERRORS = {401: schemas.Error, 404: schemas.Error, 422: schemas.Error, 429: schemas.Error}
Limit = Query(cursor.DEFAULT_LIMIT, ge=1, le=cursor.MAX_LIMIT, description="Rows per page.")
Cursor = Query(None, alias="cursor", description="The `next` page's cursor, as given; opaque.")
FindingKind = Literal[tuple(Finding.Category.values)]
KindFilter = Query(None, description="Only this category.")
SinceFilter = Query(None, description="Only what arrived at or after this time (ISO 8601; UTC when it names no zone).")
AccountFilter = Query(None, description="Only this Microsoft account's (its code).")
IncidentFilter = Query(None, description="Only this incident's (its code).")
IncidentState = Literal["unresolved", "open", "acknowledged", "resolved"]


def _private(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        # Each token reads its own rows: no shared cache may keep them, and a client revalidates by ETag.
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ["Authorization"])
        return response

    return wrapper


def revalidated(view):
    """An ETag of the body; If-None-Match with it answers 304 and no body."""
    return decorator_from_middleware(ConditionalGetMiddleware)(_private(view))


def _member(request) -> Member:
    return request.auth


@api.get("/accounts", response={200: schemas.AccountPage, **ERRORS}, summary="Microsoft accounts and their checklist")
@decorate_view(revalidated)
def accounts(request, cursor_: str | None = Cursor, limit: int = Limit):
    member = _member(request)
    rows = accounts_visible_to(member).select_related("member")
    found = cursor.page(request, rows, "created_at", cursor_, limit, newest_first=False)
    found["items"] = present.accounts(found["items"], member.zone)
    return found


def _incidents(member: Member):
    return Incident.objects.visible_to(member).select_related("member", "account")


@api.get("/incidents", response={200: schemas.IncidentPage, **ERRORS}, summary="Incidents, newest first")
@decorate_view(revalidated)
def incidents(request, state: IncidentState | None = None, cursor_: str | None = Cursor, limit: int = Limit):
    rows = _incidents(_member(request))
    if state == "unresolved":
        rows = rows.unresolved()
    elif state:
        rows = rows.filter(state=state)
    found = cursor.page(request, rows, "opened_at", cursor_, limit)
    found["items"] = [present.incident(row) for row in found["items"]]
    return found


# An incident's own page lists this many of its findings; the rest are at /findings?incident=CODE.
DETAIL_FINDINGS = 100


@api.get("/incidents/{code}", response={200: schemas.IncidentDetail, **ERRORS}, summary="One incident")
@decorate_view(revalidated)
def incident(request, code: UUID):
    member = _member(request)
    row = _incidents(member).filter(code=code).first()
    if row is None:
        raise HttpError(404, _("No incident with this id is visible to this token: list them at /api/v1/incidents."))
    findings = _findings(row.findings.all())
    hidden = 0
    if not member.is_admin:
        # A campaign reaches others too: a member reads their own codes and how many others got.
        hidden = findings.exclude(owner_id=member.user_id).count()
        findings = findings.filter(owner_id=member.user_id)
    body = present.incident(row)
    body["findings"] = [present.finding(f) for f in findings.order_by("arrived_at", "code")[:DETAIL_FINDINGS]]
    body["findings_total"] = findings.count()
    body["findings_hidden"] = hidden
    return body


def _findings(rows):
    return rows.select_related("owner__member", "account_link__account")


@api.get("/findings", response={200: schemas.FindingPage, **ERRORS}, summary="Codes, notices and lookalikes found")
@decorate_view(revalidated)
def findings(
    request,
    kind: FindingKind | None = KindFilter,
    since: datetime | None = SinceFilter,
    account: UUID | None = AccountFilter,
    incident: UUID | None = IncidentFilter,
    cursor_: str | None = Cursor,
    limit: int = Limit,
):
    member = _member(request)
    rows = _findings(visible_findings(member, everyone=member.is_admin))
    if kind:
        rows = rows.filter(category=kind)
    if since:
        try:  # at the calendar's ends, the database's own move to UTC would overflow: a 500
            since = since.astimezone(UTC) if timezone.is_aware(since) else since.replace(tzinfo=UTC)
        except OverflowError:
            raise HttpError(422, _("since: this date is out of range.")) from None
        rows = rows.filter(arrived_at__gte=since)
    if account:
        chosen = accounts_visible_to(member).filter(code=account).first()
        if chosen is None:
            raise HttpError(422, _("account: no Microsoft account with this id is visible to this token."))
        rows = rows.filter(account_link__account=chosen)
    if incident:
        chosen = _incidents(member).filter(code=incident).first()
        if chosen is None:
            raise HttpError(422, _("incident: no incident with this id is visible to this token."))
        rows = rows.filter(incidents=chosen)
    found = cursor.page(request, rows, "arrived_at", cursor_, limit)
    found["items"] = [present.finding(row) for row in found["items"]]
    return found


@api.get("/mailboxes", response={200: schemas.MailboxPage, **ERRORS}, summary="Linked mailboxes and their status")
@decorate_view(revalidated)
def mailboxes(request, cursor_: str | None = Cursor, limit: int = Limit):
    member = _member(request)
    if member.is_admin:
        rows = Mailbox.objects.filter(owner__member__household_id=member.household_id)
    else:
        rows = Mailbox.objects.filter(owner_id=member.user_id)
    found = cursor.page(request, rows.select_related("owner__member"), "created_at", cursor_, limit, newest_first=False)
    found["items"] = [present.mailbox(row, member) for row in found["items"]]
    return found


@api.get("/summary", response={200: schemas.Summary, **ERRORS}, summary="The household's counts")
@decorate_view(revalidated)
def summary(request):
    """The dashboard's figures: the household's counts, and the open incidents this token may see."""
    return household_counts(_member(request))
