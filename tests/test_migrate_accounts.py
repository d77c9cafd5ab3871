"""Today's data in the new shape (incidents 0003): one account per address with its masked hints
merged, one incident per account per wave (alert incidents join it), lookalikes one per week."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("incidents", "0001_initial"), ("scanner", "0005_connection_check"), ("msaccounts", None)]
NIGHT = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_todays_incidents_become_one_per_account_per_wave():
    old = _migrate(BEFORE)
    User = old.get_model("auth", "User")
    Household, Member = old.get_model("accounts", "Household"), old.get_model("accounts", "Member")
    Finding, Incident = old.get_model("scanner", "Finding"), old.get_model("incidents", "Incident")
    home = Household.objects.create(name="Home")
    user = User.objects.create(username="alice")
    alice = Member.objects.create(user=user, household=home, display_name="Alice", addresses=["alice@example.org"])

    def finding(n, category, hint, template, at):
        return Finding.objects.create(
            owner=user, message_key=f"<m{n}@x>", category=category, template=template, account_hint=hint,
            codes_masked=["****12"] if category == "ms_code" else [], sender_auth="pass", arrived_at=at,
            status="unsolicited" if category == "ms_code" else "pending",
        )  # fmt: skip

    def incident(kind, severity, hint, findings, state="open"):
        made = Incident.objects.create(
            household=home, kind=kind, member=alice, account_hint=hint, severity=severity, state=state,
            opened_at=min(f.arrived_at for f in findings), last_seen_at=max(f.arrived_at for f in findings),
        )  # fmt: skip
        made.findings.set(findings)
        return made

    # The same account split in two by Microsoft's mask, and its alert a third incident: one wave.
    full = finding(1, "ms_code", "peter.weber@example.com", "msa_single_use_v2", NIGHT)
    masked = finding(2, "ms_code", "pe**r@example.com", "msa_security_code", NIGHT + timedelta(hours=1))
    alert = finding(3, "ms_alert", "pe**r@example.com", "msa_password_changed", NIGHT + timedelta(hours=2))
    incident("account", 2, "peter.weber@example.com", [full])
    incident("account", 3, "pe**r@example.com", [masked])
    incident("alert", 4, "", [alert])
    later = finding(4, "ms_code", "peter.weber@example.com", "msa_single_use_v2", NIGHT + timedelta(days=5))
    incident("account", 2, "peter.weber@example.com", [later])  # another wave: stays its own
    monday = datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc)
    lookalikes = [finding(10 + d, "phishing", "", "", monday + timedelta(days=d)) for d in (0, 2, 4)]
    for one in lookalikes:
        incident("phishing", 3, "", [one])

    new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    Account = new.get_model("msaccounts", "Account")
    Incident = new.get_model("incidents", "Incident")
    (account,) = Account.objects.all()
    assert (account.address, account.resolved, account.hints) == (
        "peter.weber@example.com",
        True,
        ["pe**r@example.com"],
    )
    assert account.first_seen_at == NIGHT and account.last_seen_at == NIGHT + timedelta(days=5)
    waves = list(Incident.objects.filter(kind="account").order_by("opened_at"))
    assert [(w.account_id, w.severity, w.findings.count()) for w in waves] == [(account.pk, 4, 3), (account.pk, 2, 1)]
    assert not Incident.objects.filter(kind="alert").exists()
    (week,) = Incident.objects.filter(kind="phishing")
    assert week.findings.count() == 3 and str(week.period_start) == "2026-11-16"
