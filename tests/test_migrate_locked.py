"""manage.py migrate_locked: containers or services that start together migrate one after another
(SQLite: a file lock; PostgreSQL under DATABASE_URL: an advisory lock), and all of them succeed.
Without the lock, plain `migrate` started three times at once on PostgreSQL fails in two of them
("relation already exists"); SQLite's IMMEDIATE transactions happen to serialize it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys

from tests import services
from tests.manage_process import ROOT, Install


def test_three_processes_starting_together_all_migrate_and_the_schema_is_complete(tmp_path):
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(services.pg_database()) if os.environ.get("DATABASE_URL") else None
        install = Install(tmp_path / "data", database_url=url)
        starts = [
            subprocess.Popen(
                [sys.executable, "manage.py", "migrate_locked", "-v", "0"],
                cwd=ROOT,
                env=install.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )  # fmt: skip
            for _ in range(3)
        ]
        outputs = [(process.wait(timeout=300), process.stdout.read()) for process in starts]
        assert [code for code, _ in outputs] == [0, 0, 0], outputs
        pending = install.manage("migrate", "--check", check=False)
        assert pending.returncode == 0, pending.stdout + pending.stderr
