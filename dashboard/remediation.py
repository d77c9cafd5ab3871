"""The remediation matrix (people × steps) and "what to do now", for the dashboard and the member's page."""

from __future__ import annotations

from msaccounts import checklist
from msaccounts.models import Account
from msaccounts.overview import overview


def remediation(viewer) -> dict:
    """Admins see every account of the household; a member sees their own and the household's counts.
    Three queries however many accounts and marks there are."""
    accounts = list(Account.objects.filter(member__household_id=viewer.household_id).select_related("member"))
    views = overview(accounts, viewer.zone)
    mine = views if viewer.is_admin else [v for v in views if v.account.member_id == viewer.pk]
    todo, people = [], set()
    for view in mine:  # most urgent first, so each person's first account with a step left leads
        if view.next_step and view.account.member_id not in people:
            people.add(view.account.member_id)
            todo.append(view)
    # Only the columns some row has a step for: a household of personal accounts sees no IT-admin column.
    keys = {step.key for view in mine for step in view.steps}
    columns = tuple(column for column in checklist.COLUMNS if column.key in keys)
    for view in mine:
        view.columns = columns
    owners = {view.account.member for view in mine}
    return {
        "matrix": mine,
        "steps": columns,
        "todo": todo,
        # "Never enter a code" is said once per person, not per account: who of these has not yet.
        "unacknowledged": sorted((m for m in owners if not m.codes_acknowledged_at), key=lambda m: m.display_name),
        # Every account with a step left, not one per person: 14 untouched accounts are 14, not 1.
        "accounts_left": sum(1 for view in mine if view.next_step),
        "household_counts": {
            "accounts": len(views),
            "attack": sum(1 for v in views if v.state == "attack"),
            "complete": sum(1 for v in views if v.progress["complete"]),
        },
    }
