"""Run manage.py as its own process on a private data folder, as `make run` would: SQLite by default,
or a PostgreSQL database (and a Redis broker) of the test's own."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Install:
    def __init__(self, data_dir: Path, database_url: str | None = None, redis_url: str | None = None):
        self.data_dir = data_dir
        self.database_url = database_url
        self.env = {**os.environ, "OTPDASH_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
        for name in ("DATABASE_URL", "OTPDASH_REDIS_URL", "DJANGO_SETTINGS_MODULE"):
            self.env.pop(name, None)
        if database_url:
            self.env["DATABASE_URL"] = database_url
        if redis_url:
            self.env["OTPDASH_REDIS_URL"] = redis_url

    def manage(self, *args: str, check: bool = True, extra_env: dict | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
        return result

    def popen(self, *args: str, log: Path) -> subprocess.Popen:
        handle = open(log, "a")
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def query(self, sql: str, *params):
        """sql with ? placeholders, on either database."""
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url, autocommit=True) as db:
                cursor = db.execute(sql.replace("?", "%s"), params) if params else db.execute(sql)
                return cursor.fetchall() if cursor.description else []
        db = sqlite3.connect(self.data_dir / "otpdash.sqlite3", timeout=20)
        try:
            with db:  # commits
                return db.execute(sql, params).fetchall()
        finally:
            db.close()

    def wait_for(self, sql: str, *params, seconds: float = 30.0):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            rows = self.query(sql, *params)
            if rows:
                return rows
            time.sleep(0.05)
        raise AssertionError(f"nothing matched within {seconds} s: {sql} {params}")

    def setup_member_and_mailbox(self, dovecot, *extra: str) -> int:
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("shell", "-c", "from django.contrib.auth.models import User; User.objects.create_user('alice')")
        result = self.manage(
            "mailbox",
            "add",
            "--owner",
            "alice",
            "--host",
            "127.0.0.1",
            "--port",
            str(dovecot.imaps_port),
            "--security",
            "ssl",
            "--username",
            "alice",
            "--password-env",
            "IMAP_PW",
            "--ca-file",
            str(dovecot.ca_file),
            *extra,
            extra_env={"IMAP_PW": dovecot.users["alice"]},
        )
        return int(result.stdout.strip())
