"""django-q runs whatever dotted path a Schedule names, as the worker's user, which holds every
household's keys. Only this project's own task functions may be named, whoever writes the row."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError


def is_project_task(path: str) -> bool:
    """`app.tasks.function` of one of our apps, and nothing reached through it."""
    parts = (path or "").split(".")
    return len(parts) == 3 and parts[0] in settings.PROJECT_APPS and parts[1] == "tasks" and parts[2].isidentifier()


def refuse_foreign_schedule(sender, instance, **kwargs) -> None:
    for field in ("func", "hook"):
        value = getattr(instance, field, "") or ""
        if (field == "func" or value) and not is_project_task(value):
            raise ValidationError(f"A schedule may only run OTP Dash's own tasks, not {value!r}.")
