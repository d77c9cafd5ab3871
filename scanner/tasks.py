"""Background work run by django-q2: find due mailboxes, scan each in its own task."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_q.tasks import async_task

from mailboxes.models import Mailbox

from .scanning import scan_mailbox

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
