""" "Test connection": walk every step to the folders and say which one failed, in words."""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.imap.connect import Account, Policy, close, connect
from scanner.imap.errors import STEPS, MailboxError
from scanner.imap.reader import FolderReader, discover_folders

ORDER = ["lookup", "connect", "tls", "login", "folder"]


@dataclass
class Step:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class CheckResult:
    steps: list[Step] = field(default_factory=list)
    error: MailboxError | None = None
    folders: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict:
        """What the page shows, as stored with the ConnectionCheck (no secret is ever part of it)."""
        return {
            "ok": self.ok,
            "steps": [{"name": s.name, "ok": s.ok, "detail": s.detail} for s in self.steps],
            "folders": list(self.folders),
        }


def check_connection(account: Account, policy: Policy, folders: list[str] | None = None) -> CheckResult:
    result = CheckResult()
    client = None
    try:
        client = connect(account, policy)
        result.steps += _passed(ORDER[:-1], account)
        reader = FolderReader(client)
        for name in folders or discover_folders(reader):
            state = reader.examine(name)
            result.folders.append(name)
            result.steps.append(Step(f"Opening {name}", True, f"{state.exists} messages"))
    except MailboxError as exc:
        result.error = exc
        failed = ORDER.index(exc.step) if exc.step in ORDER else len(ORDER)
        if not result.steps:
            result.steps += _passed(ORDER[:failed], account)
        result.steps.append(Step(STEPS.get(exc.step, exc.step), False, f"{exc.message} {exc.hint}".strip()))
    finally:
        close(client)
    return result


def _passed(steps: list[str], account: Account) -> list[Step]:
    return [Step(STEPS[step], True) for step in steps if step != "tls" or account.security != "plain"]
