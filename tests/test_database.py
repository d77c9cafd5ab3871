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
    Schedule.objects.create(func="math.floor", args="1.5", schedule_type=Schedule.ONCE)
    assert Schedule.objects.filter(func="math.floor").count() == 1


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
