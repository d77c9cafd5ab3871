"""Mailbox secrets at rest: Fernet with a list of keys, newest first, so keys can be rotated."""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(Exception):
    """No configured key opens this secret: a key was removed before `rotate_keys` ran."""


@cache
def _box(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def box() -> MultiFernet:
    return _box(tuple(settings.ENCRYPTION_KEYS))


def seal(secret: str) -> str:
    return box().encrypt(secret.encode("utf-8")).decode("ascii")


def unseal(token: str) -> str:
    try:
        return box().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise SecretUnreadable(
            "the stored password cannot be decrypted with the configured OTPDASH_ENCRYPTION_KEYS; "
            "restore the old key (after the new one) or enter the password again"
        ) from exc


def reseal(token: str) -> str:
    """The same secret under the newest key (a no-op in meaning, new ciphertext)."""
    try:
        return box().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise SecretUnreadable("no configured key opens this secret") from exc
