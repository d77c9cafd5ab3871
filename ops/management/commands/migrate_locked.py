import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

# The first key of the advisory lock around migrations (the watchers use their own, scanner/liveness.py).
MIGRATION_LOCK = (0x0D46, 1)


class Command(BaseCommand):
    help = "Apply migrations, one process at a time: several containers or services may start together."

    def handle(self, *args, **options):
        with _one_at_a_time():
            call_command("migrate", interactive=False, verbosity=options["verbosity"])


@contextmanager
def _one_at_a_time():
    if connection.vendor == "postgresql":
        # A session lock on the connection migrate itself uses: waiting processes block here, then
        # find nothing left to apply.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", MIGRATION_LOCK)
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", MIGRATION_LOCK)
        return
    fd = os.open(Path(settings.DATA_DIR) / "migrate.lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # SQLite lives on one machine: a file lock covers every process
        yield
    finally:
        os.close(fd)
