"""Test connection as a background task: a silent server then holds a worker of the task cluster,
never a web worker."""

from __future__ import annotations

from django_q.tasks import async_task

from otpdash.secretbox import SecretUnreadable
from scanner.imap.connect import Account

from .checks import check_connection
from .connection import policy
from .models import ConnectionCheck
from .oauth import tokens

# Seconds each step of a Test connection may wait: a member is watching the page.
CHECK_TIMEOUT = 15


def queue_check(check: ConnectionCheck) -> None:
    async_task("mailboxes.tasks.run_check", check.pk, task_name=f"check-{check.code}", group="check")


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
