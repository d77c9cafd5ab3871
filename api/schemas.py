"""What the API answers, as typed schemas: Ninja turns them into the OpenAPI description. Codes are
only ever the stored masked ones; mailboxes carry no password, token or certificate."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Schema


class Error(Schema):
    detail: str


class Person(Schema):
    code: UUID
    name: str


class Evidence(Schema):
    kind: Literal["confirmed", "contradicted", "notice"]
    words: str


class Step(Schema):
    key: str
    title: str
    state: Literal["to_do", "done", "not_applicable"]
    marked_at: datetime | None
    marked_by: str | None
    reason: str
    evidence: Evidence | None


class Progress(Schema):
    done: int
    total: int
    complete: bool


class Account(Schema):
    code: UUID
    member: Person
    address: str
    resolved: bool
    kind: str
    state: Literal["attack", "secured", "quiet"]
    state_text: str
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    progress: Progress
    next_step: str | None
    open_incident: UUID | None
    steps: list[Step]


class Finding(Schema):
    code: UUID
    member: Person
    account: UUID | None
    category: str
    template: str
    template_label: str
    provider: str
    language: str
    status: str
    history: bool
    codes_masked: list[str]
    subject: str
    sender: str
    sender_auth: str
    account_hint: str
    recipient: str
    signin: dict | None
    reasons: list[str]
    arrived_at: datetime
    found_at: datetime


class Incident(Schema):
    code: UUID
    kind: str
    state: str
    severity: int
    severity_label: str
    title: str
    member: Person | None
    account: UUID | None
    opened_at: datetime
    last_seen_at: datetime
    resolved_at: datetime | None


class IncidentDetail(Incident):
    findings: list[Finding]
    findings_total: int
    findings_hidden: int


class Mailbox(Schema):
    code: UUID
    member: Person
    yours: bool
    label: str | None
    host: str | None
    username: str | None
    auth: str
    enabled: bool
    state: str
    state_text: str
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    next_scan_at: datetime | None
    examined_total: int


class MailboxHealth(Schema):
    ok: int
    attention: int
    paused: int


class Summary(Schema):
    household: Person
    members: int
    codes_7_days: int
    codes_30_days: int
    unsolicited_7_days: int
    unsolicited_30_days: int
    alerts_30_days: int
    phishing_30_days: int
    open_incidents: int
    open_incidents_by_severity: dict[str, int]
    your_pending_answers: int
    mailboxes: MailboxHealth


class AccountPage(Schema):
    items: list[Account]
    next: str | None


class FindingPage(Schema):
    items: list[Finding]
    next: str | None


class IncidentPage(Schema):
    items: list[Incident]
    next: str | None


class MailboxPage(Schema):
    items: list[Mailbox]
    next: str | None
