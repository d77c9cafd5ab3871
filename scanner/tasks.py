"""Background work run by django-q2: find due mailboxes, scan each in its own task."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_q.tasks import async_task

from otpdash.secretbox import SecretUnreadable

from .checks import check_connection
from .imap.connect import Account
from .models import ConnectionCheck, Mailbox
from .oauth import tokens
from .scanning import policy, scan_mailbox

# Seconds each step of a Test connection may wait: a member is watching the page.
CHECK_TIMEOUT = 15

log = logging.getLogger(__name__)


def scan_due() -> int:
    """Queue a scan of every due mailbox. Each is claimed first (an update only if unchanged),
    so two schedulers never queue the same mailbox twice."""
    now = timezone.now()
    queued = 0
    for pk, next_at, minutes in Mailbox.objects.due(now).values_list("pk", "next_scan_at", "poll_minutes"):
        claimed = Mailbox.objects.filter(pk=pk, next_scan_at=next_at).update(
            next_scan_at=now + timedelta(minutes=minutes)
        )
        if claimed:
            queue_scan(pk)
            queued += 1
    return queued


def queue_scan(mailbox_id: int) -> None:
    async_task("scanner.tasks.scan_one", mailbox_id, task_name=f"scan-mailbox-{mailbox_id}", group="scan")


def scan_one(mailbox_id: int) -> str:
    mailbox = Mailbox.objects.filter(pk=mailbox_id).first()
    if mailbox is None:
        return "removed"
    report = scan_mailbox(mailbox)
    if report.busy:
        return "busy"
    if report.error:
        return f"failed: {report.error}"
    return f"examined {report.examined}, new findings {report.found}"


def queue_check(check: ConnectionCheck) -> None:
    async_task("scanner.tasks.run_check", check.pk, task_name=f"check-{check.code}", group="check")


def run_check(check_id: int) -> str:
    """Test connection, in the task cluster: every step up to opening the folders, stored for the page."""
    check = ConnectionCheck.objects.select_related("mailbox").filter(pk=check_id).first()
    if check is None or check.state == ConnectionCheck.State.DONE:
        return "gone"
    oauth = check.mailbox is not None and check.mailbox.uses_oauth and not check.secret_sealed
    try:
        secret = tokens.access_token(check.mailbox) if oauth else check.secret()
    except (tokens.ReconnectNeeded, tokens.ProviderUnreachable) as exc:
        step = {"name": "Renewing access with the provider", "ok": False, "detail": str(exc)}
        check.finish({"ok": False, "steps": [step], "folders": []})
        return "no token"
    except SecretUnreadable as exc:
        check.finish(
            {
                "ok": False,
                "steps": [{"name": "Decrypting the stored password", "ok": False, "detail": str(exc)}],
                "folders": [],
            }
        )
        return "no secret"
    account = Account(
        host=check.host,
        port=check.port,
        security=check.security,
        username=check.username,
        secret=secret,
        ca_pem=check.ca_certificate,
        timeout=CHECK_TIMEOUT,
        oauth=oauth,
    )
    result = check_connection(account, policy(), check.folders or None)
    check.finish(result.to_dict())
    return "ok" if result.ok else "failed"
