"""The configured database is the one in use (CI runs this suite on SQLite and on PostgreSQL)."""

import os

import pytest
from django.core.management import call_command
from django.db import connection
from django_q.models import Schedule


@pytest.mark.django_db
def test_database_is_the_configured_one_and_migrated():
    url = os.environ.get("DATABASE_URL", "")
    assert connection.vendor == ("postgresql" if url.startswith("postgres") else "sqlite")
    Schedule.objects.create(name="once", func="notify.tasks.send_due", schedule_type=Schedule.ONCE)
    assert Schedule.objects.filter(name="once").count() == 1


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_migrate_alone_leaves_the_sign_in_rate_limits_working(tmp_path):
    """The rate limits live in the database cache; its table comes with `migrate`, no extra step."""
    from tests.manage_process import Install

    install = Install(tmp_path / "data")
    install.manage("migrate", "--noinput", "-v", "0")
    result = install.manage(
        "shell", "-c", "from django.core.cache import cache; cache.set('probe', 41); print(cache.get('probe') + 1)"
    )
    assert result.stdout.strip().splitlines()[-1] == "42"
