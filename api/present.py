"""Each model as the API shows it: plain dicts for the schemas in schemas.py, built from what the
pages already compute (the accounts' overview, the incidents' titles), so both always agree."""

from __future__ import annotations

from accounts.models import Member
from incidents.models import Incident
from mailboxes.models import Mailbox
from msaccounts import checklist, overview
from msaccounts.models import Account
from scanner.models import Finding


def person(member: Member) -> dict:
    return {"code": member.code, "name": member.display_name}


def finding(row: Finding) -> dict:
    link = getattr(row, "account_link", None)
    return {
        "code": row.code,
        "member": person(row.owner.member),
        "account": link.account.code if link else None,
        "category": row.category,
        "template": row.template,
        "template_label": str(row.template_label),
        "provider": row.provider,
        "language": row.language,
        "status": row.status,
        "history": row.history,
        "codes_masked": list(row.codes_masked),  # stored masked: the full code never reached the database
        "subject": row.subject,
        "sender": row.sender,
        "sender_auth": row.sender_auth,
        "account_hint": row.account_hint,
        "recipient": row.recipient,
        "signin": row.signin,
        "reasons": list(row.reasons),
        "arrived_at": row.arrived_at,
        "found_at": row.found_at,
    }


def incident(row: Incident) -> dict:
    return {
        "code": row.code,
        "kind": row.kind,
        "state": row.state,
        "severity": row.severity,
        "severity_label": str(row.get_severity_display()),
        "title": str(row.title),
        "member": person(row.member) if row.member_id else None,
        "account": row.account.code if row.account_id else None,
        "opened_at": row.opened_at,
        "last_seen_at": row.last_seen_at,
        "resolved_at": row.resolved_at,
    }


def accounts(rows: list[Account], zone) -> list[dict]:
    """The page's accounts in the page's order (the overview sorts by urgency; a cursor needs a fixed order)."""
    views = {view.account.pk: view for view in overview.overview(rows, zone)}
    return [_account(views[row.pk]) for row in rows]


# Words below may be lazy translations (the app is being translated): str() renders them now.
def _account(view: overview.AccountView) -> dict:
    account = view.account
    steps = []
    for step in checklist.steps_for(account):
        mark = view.current.get(step.key)
        proof = view.proofs.get(step.key)
        steps.append(
            {
                "key": step.key,
                "title": str(step.title),
                "state": checklist.state_of(mark),
                "marked_at": mark.at if mark else None,
                "marked_by": str(mark.who) if mark else None,
                "reason": str(mark.reason) if mark else "",
                "evidence": {"kind": proof.kind, "words": str(proof.words)} if proof else None,
            }
        )
    return {
        "code": account.code,
        "member": person(account.member),
        "address": account.address,
        "resolved": account.resolved,
        "kind": account.kind,
        "state": view.state,
        "state_text": str(view.state_text),
        "first_seen_at": account.first_seen_at,
        "last_seen_at": account.last_seen_at,
        "progress": view.progress,
        "next_step": view.next_step.key if view.next_step else None,
        "open_incident": view.open_incident.code if view.open_incident else None,
        "steps": steps,
    }


def mailbox(row: Mailbox, viewer: Member) -> dict:
    """An admin sees how each of the household's mailboxes fares; where one connects and what went
    wrong stay its owner's business, as on the dashboard."""
    yours = row.owner_id == viewer.user_id
    return {
        "code": row.code,
        "member": person(row.owner.member),
        "yours": yours,
        "label": row.label if yours else None,
        "host": row.host if yours else None,
        "username": row.username if yours else None,
        "auth": row.auth,
        "enabled": row.enabled,
        "state": row.display_state,
        "state_text": str(row.state_label),
        "last_success_at": row.last_success_at,
        "last_error": row.last_error if yours else None,
        "last_error_at": row.last_error_at,
        "next_scan_at": row.next_scan_at,
        "examined_total": row.examined_total,
    }
