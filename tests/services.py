"""The PostgreSQL and Redis these machines run (127.0.0.1:5432 and :6379), handed out in private pieces
for tests and benchmarks that start processes of their own."""

from __future__ import annotations

import contextlib
import os
import uuid

PG = "postgres://root@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379"


class Unavailable(Exception):
    pass


@contextlib.contextmanager
def pg_database(prefix: str = "otpdash_proc"):
    """A fresh database, dropped afterwards (with its sessions)."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(f"{PG}/test", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise Unavailable(f"PostgreSQL is not answering on 127.0.0.1:5432 ({exc}); start it (pg_ctlcluster).") from None
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG}/{name}"
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


@contextlib.contextmanager
def redis_database():
    """A database number nobody else here uses (by process id, as pytest-xdist's workers differ), emptied
    before and after."""
    import redis

    try:
        redis.Redis.from_url(f"{REDIS}/0", socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        raise Unavailable(
            f"Redis is not answering on 127.0.0.1:6379 ({exc}); install and start redis-server."
        ) from None
    number = 10 + os.getpid() % 5
    client = redis.Redis.from_url(f"{REDIS}/{number}")
    client.flushdb()
    try:
        yield f"{REDIS}/{number}"
    finally:
        client.flushdb()
