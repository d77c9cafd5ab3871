"""Background work for breach hints, run by django-q2: never inside a web request."""

from __future__ import annotations

from django_q.tasks import async_task

from .breaches import check_household
from .models import BreachSetting


def queue_check(household_id: int) -> None:
    async_task("msaccounts.tasks.check_one", household_id, task_name=f"breaches-{household_id}", group="breaches")


def check_one(household_id: int) -> str:
    return check_household(household_id)


def check_all() -> int:
    """The daily schedule: every household that opted in (each address is asked at most weekly)."""
    ids = list(BreachSetting.objects.filter(enabled=True).values_list("household_id", flat=True))
    for household_id in ids:
        queue_check(household_id)
    return len(ids)
