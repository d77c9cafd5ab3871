"""Today's checklist data in the new shape (msaccounts 0002 and 0003): each account's kind from its
address and mail and whether an app was connected; a "no_codes" step marked done on any account
becomes the person's one acknowledgement, with a line in the audit log, and the old marks stay."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("msaccounts", "0001_initial"), ("accounts", "0003_seal_mfa_secrets")]
NIGHT = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)


def _migrate(targets):
    """Migrate to targets, the other apps staying at their newest; the models as they are then."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    apps = {app for app, _ in targets}
    nodes = [*targets, *(node for node in executor.loader.graph.leaf_nodes() if node[0] not in apps)]
    executor.migrate(nodes)
    return executor.loader.project_state(nodes).apps


@pytest.mark.django_db(transaction=True)
def test_no_codes_marks_become_acknowledgements_and_accounts_get_their_kind():
    old = _migrate(BEFORE)
    User, Household, Member = (old.get_model(*name.split(".")) for name in ("auth.User", "accounts.Household",
                                                                            "accounts.Member"))  # fmt: skip
    Account, StepMark = old.get_model("msaccounts", "Account"), old.get_model("msaccounts", "StepMark")
    Finding, AccountFinding = old.get_model("scanner", "Finding"), old.get_model("msaccounts", "AccountFinding")
    home = Household.objects.create(name="Home")
    alice = Member.objects.create(user=User.objects.create(username="alice"), household=home, display_name="Alice")
    bob = Member.objects.create(user=User.objects.create(username="bob"), household=home, display_name="Bob")
    personal = Account.objects.create(member=alice, address="alice@outlook.com", resolved=True)
    work = Account.objects.create(member=alice, address="alice@fabrikam.example", resolved=True)
    bobs = Account.objects.create(member=bob, address="bob@example.org", resolved=True)
    for n, (account, template) in enumerate([(work, "entra_email_verification"), (bobs, "msa_new_app_connected")]):
        finding = Finding.objects.create(owner=account.member.user, message_key=f"<m{n}@x>", category="ms_code",
                                         template=template, sender_auth="pass", arrived_at=NIGHT + timedelta(hours=n))  # fmt: skip
        AccountFinding.objects.create(account=account, finding=finding)
    # Alice said it on both accounts (the later one counts for nothing more); Bob only ever set it back.
    StepMark.objects.create(account=work, step="no_codes", state="done", actor_name="Alice", at=NIGHT)
    StepMark.objects.create(account=personal, step="no_codes", state="done", actor_name="Alice",
                            at=NIGHT + timedelta(days=1))  # fmt: skip
    StepMark.objects.create(account=bobs, step="no_codes", state="to_do", actor_name="Bob", at=NIGHT)

    new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    Member, Account = new.get_model("accounts", "Member"), new.get_model("msaccounts", "Account")
    assert Member.objects.get(display_name="Alice").codes_acknowledged_at == NIGHT
    assert Member.objects.get(display_name="Bob").codes_acknowledged_at is None
    (event,) = new.get_model("incidents", "AuditEvent").objects.filter(action="codes.acknowledged")
    assert event.summary.startswith("Alice: “Never enter or read out a code you did not ask for” acknowledged")
    assert "alice@fabrikam.example, 20 Nov 2026" in event.summary
    assert new.get_model("msaccounts", "StepMark").objects.filter(step="no_codes").count() == 3  # history kept
    kinds = {a.address: (a.kind, a.apps_notice_at) for a in Account.objects.all()}
    assert kinds == {
        "alice@outlook.com": ("personal", None),
        "alice@fabrikam.example": ("work_or_school", None),
        "bob@example.org": ("personal", NIGHT + timedelta(hours=1)),
    }
