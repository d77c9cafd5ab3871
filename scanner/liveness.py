"""Whether another watch process is still running, known as soon as it dies, not when its lease lapses.

Each watch process holds something the system frees the moment the process ends, however it ends
(SIGKILL, out of memory, a crashed machine's connection timing out):
- on PostgreSQL, a session advisory lock on a connection of its own that Django never recycles, so
  watchers on several machines see each other's through `pg_locks`;
- on SQLite, which lives on one machine, an flock on a file in the data folder.
Anything else falls back on the lease's expiry alone.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections

# The first of the two keys of our advisory locks, so they never meet another program's (arbitrary).
ADVISORY_NAMESPACE = 0x0D45


class Liveness:
    """No signal: a peer is dead when its heartbeat is older than the lease."""

    def hold(self, key: int) -> None:
        pass

    def still_held(self) -> bool:
        return True

    def dead(self, keys: list[int]) -> set[int]:
        return set()

    def release(self) -> None:
        pass


class AdvisoryLockLiveness(Liveness):
    def __init__(self):
        self.own = None

    def hold(self, key: int) -> None:
        # A connection outside Django's handler: close_old_connections() never ends its session.
        self.own = connections.create_connection(DEFAULT_DB_ALIAS)
        with self.own.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [ADVISORY_NAMESPACE, key])

    def still_held(self) -> bool:
        try:
            with self.own.cursor() as cursor:
                cursor.execute("SELECT 1")
            return True
        except DatabaseError:
            return False  # the session is gone, and its lock with it: peers now take us for dead

    def dead(self, keys: list[int]) -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = %s"
                " AND objsubid = 2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                [ADVISORY_NAMESPACE],
            )
            alive = {int(row[0]) for row in cursor.fetchall()}
        return {key for key in keys if key not in alive}

    def release(self) -> None:
        if self.own is not None:
            try:
                self.own.close()  # the lock goes with the session
            except DatabaseError:
                pass
            self.own = None


class FileLockLiveness(Liveness):
    def __init__(self, folder: Path):
        self.folder = folder
        self.fd = None
        self.path = None

    def _path(self, key: int) -> Path:
        return self.folder / f"{key}.lock"

    def hold(self, key: int) -> None:
        self.folder.mkdir(mode=0o700, exist_ok=True)
        self.path = self._path(key)
        self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def dead(self, keys: list[int]) -> set[int]:
        return {key for key in keys if not self._alive(key)}

    def _alive(self, key: int) -> bool:
        try:
            fd = os.open(self._path(key), os.O_RDWR)
        except FileNotFoundError:
            return False  # the file is made and locked before the process registers
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return True
        self._path(key).unlink(missing_ok=True)
        os.close(fd)  # closing drops the lock just taken
        return False

    def release(self) -> None:
        if self.fd is not None:
            self.path.unlink(missing_ok=True)
            os.close(self.fd)
            self.fd = None


def for_database() -> Liveness:
    if connection.vendor == "postgresql":
        return AdvisoryLockLiveness()
    if connection.vendor == "sqlite":
        return FileLockLiveness(Path(settings.DATA_DIR) / "watchers")
    return Liveness()
