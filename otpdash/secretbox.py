"""Secrets at rest (mailbox passwords, TOTP secrets, recovery-code seeds): Fernet with a list of
keys, newest first, so keys can be rotated.

Keys come from OTPDASH_ENCRYPTION_KEYS, else from the key file in the data folder. That file is made
only when nothing sealed exists yet: after a lost key file, a fresh key would open nothing and every
mailbox would look like a wrong password, so OTP Dash says what is wrong instead (key_problem()).
"""

from __future__ import annotations

import logging
import time
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext as _

from .env import secret_file

log = logging.getLogger(__name__)

# Models whose rows hold sealed data: (app label, model name).
SEALED_MODELS = (("mailboxes", "Mailbox"), ("mfa", "Authenticator"), ("notify", "Channel"), ("homeassistant", "Broker"))
KEY_LOST = (
    "The encryption key file {path} is missing, but stored passwords and two-step secrets exist: "
    "restore that file from your backup (or set OTPDASH_ENCRYPTION_KEYS). OTP Dash does not make a new "
    "key, because a new key opens none of them."
)
_PROBLEM_TTL = 60.0  # seconds between checks of whether the keys open the stored secrets
_problem_cache: dict[str, tuple[float, str | None]] = {}


class SecretUnreadable(Exception):
    """No configured key opens this secret: a key was removed before `rotate_keys` ran, or lost."""


@cache
def _box(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def configured_keys() -> tuple[str, ...]:
    """The keys in force, newest first; empty when none is configured and the key file does not exist."""
    if settings.ENCRYPTION_KEYS:
        return tuple(settings.ENCRYPTION_KEYS)
    path = settings.ENCRYPTION_KEY_FILE
    try:
        return tuple(path.read_text().split())
    except FileNotFoundError:
        return ()


def _anything_sealed() -> bool:
    return any(apps.get_model(app, model).objects.exists() for app, model in SEALED_MODELS)


def box(for_sealing: bool = False) -> MultiFernet:
    keys = configured_keys()
    if not keys:
        if not for_sealing or _anything_sealed():
            raise SecretUnreadable(KEY_LOST.format(path=settings.ENCRYPTION_KEY_FILE))
        keys = (secret_file(settings.ENCRYPTION_KEY_FILE, generate=lambda: Fernet.generate_key().decode()),)
        log.info("Made a new encryption key in %s; back it up with the database", settings.ENCRYPTION_KEY_FILE)
    return _box(keys)


def seal(secret: str) -> str:
    return box(for_sealing=True).encrypt(secret.encode("utf-8")).decode("ascii")


def unseal(token: str) -> str:
    try:
        return box().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise SecretUnreadable(
            "the stored secret cannot be decrypted with the configured OTPDASH_ENCRYPTION_KEYS; "
            "restore the old key (after the new one) or enter the password again"
        ) from exc


def reseal(token: str) -> str:
    """The same secret under the newest key (a no-op in meaning, new ciphertext)."""
    try:
        return box().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise SecretUnreadable("no configured key opens this secret") from exc


def key_problem() -> str | None:
    """In words, why the stored secrets cannot be opened (no key, or keys that open none of the
    newest mailbox passwords); None when all is well. Checked at most once a minute per process,
    and logged as an error each time it is found."""
    now = time.monotonic()
    cached = _problem_cache.get("problem")
    if cached and now - cached[0] < _PROBLEM_TTL:
        return cached[1]
    problem = _find_key_problem()
    if problem:
        log.error("%s", problem)
    _problem_cache["problem"] = (now, problem)
    return problem


def forget_key_problem() -> None:
    _problem_cache.clear()


def _find_key_problem() -> str | None:
    Mailbox = apps.get_model("mailboxes", "Mailbox")
    sealed = list(Mailbox.objects.order_by("-updated_at").values_list("secret_sealed", flat=True)[:5])
    if not configured_keys():
        return KEY_LOST.format(path=settings.ENCRYPTION_KEY_FILE) if _anything_sealed() else None
    if not sealed:
        return None
    for token in sealed:
        try:
            unseal(token)
            return None
        except SecretUnreadable:
            continue
    return _(
        "None of the configured encryption keys opens the stored mailbox passwords: the key was changed "
        "or lost. Put the old key back (after any new one) in OTPDASH_ENCRYPTION_KEYS or the key file "
        "%(path)s, or enter each mailbox password again."
    ) % {"path": settings.ENCRYPTION_KEY_FILE}
