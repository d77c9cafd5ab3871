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
    return {
        "matrix": mine,
        "steps": checklist.STEPS,
        "todo": todo,
        "household_counts": {
            "accounts": len(views),
            "attack": sum(1 for v in views if v.state == "attack"),
            "complete": sum(1 for v in views if v.progress["complete"]),
        },
    }
