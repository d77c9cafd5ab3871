"""Record the detector's findings exactly once: one transaction per batch, together with the cursor.

A crash between batches keeps what was committed and its cursor; a crash inside a batch keeps
neither, so the next pass reads that batch again and the unique keys turn repeats into no-ops.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from detect import Finding as Detected
from detect import mask_code, mask_codes_in

from .models import Finding, FolderCursor, Mailbox, Sighting
from .signals import findings_recorded


@dataclass
class Hit:
    """One flagged message of a batch: where it is, what the detector said, and its dedupe key."""

    uid: int
    detected: Detected
    key: str


# PostgreSQL refuses NUL in text and JSON; bidirectional controls would reorder what the admin and
# the pages show (a subject that reads backwards past an address or a link).
_UNSTORABLE = dict.fromkeys(map(ord, "\x00\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def _text(value, limit: int | None = None, codes: list[str] | None = None):
    """Text from a mail as the database may hold it: no NUL (a crafted header must not stop a
    mailbox's scan for good), no bidirectional controls, and no code in clear (codes, when given,
    and every code-shaped digit run are masked). Lists and dicts are cleaned throughout."""
    if isinstance(value, str):
        value = value.translate(_UNSTORABLE)
        if codes is not None:
            value = mask_codes_in(value, codes)
        return value[:limit] if limit else value
    if isinstance(value, list):
        return [_text(item, codes=codes) for item in value]
    if isinstance(value, dict):
        return {_text(key): _text(item, codes=codes) for key, item in value.items()}
    return value


def _address(value: str | None, codes: list[str]) -> str:
    """An address as stored: cleaned, and a detected code masked should one stand in it. Other digit
    runs stay, as they are in the address (`kid.20140526@…` is a real local part, not a code)."""
    value = _text(value or "", 254)
    for code in codes:
        value = value.replace(code, mask_code(code))
    return value


def message_key(detected: Detected, raw: bytes) -> str:
    """The Message-ID, else a hash of the header section: the same message copied to two
    folders keeps its header, so both copies get the same key."""
    if detected.message_id:
        return _text(detected.message_id, 300)
    end = raw.find(b"\r\n\r\n")
    end = raw.find(b"\n\n") if end < 0 else end
    head = raw[: end if end >= 0 else 65536]
    return "sha256:" + hashlib.sha256(head).hexdigest()


def worth_storing(detected: Detected) -> bool:
    return detected.category != "none"


def finding_fields(detected: Detected) -> dict:
    now = timezone.now()
    sent = detected.sent_at
    codes = list(detected.codes)
    return {
        "arrived_at": sent if sent and sent <= now + timedelta(minutes=5) else now,
        "message_id": _text(detected.message_id or "", 300),
        "subject": _text(detected.subject or "", 300, codes),
        "sender": _text(detected.sender or "", 300, codes),
        "category": detected.category,
        "provider": _text(detected.provider or ""),
        "template": detected.template or "",
        "language": detected.language or "",
        "codes_masked": [mask_code(code) for code in codes],
        "account_hint": _address(detected.account_hint, codes),
        "recipient": _address(detected.recipient, codes),
        "sent_at": detected.sent_at,
        "sender_auth": detected.sender_auth,
        "forwarded": detected.forwarded,
        "signin": _text(detected.signin.to_dict(), codes=codes) if detected.signin else None,
        "reasons": _text(list(detected.reasons), codes=codes),
        "error": _text(detected.error or "", 200, codes),
    }


def _horizon():
    return timezone.now() - timedelta(days=settings.HISTORY_DAYS)


def _findings(owner_id: int, hits: list[Hit], history_before=None) -> tuple[dict[str, int], set[str]]:
    """The finding id of every hit's key, creating what is missing. A few queries per batch,
    not per message; a concurrent insert of the same key (another mailbox of the same member)
    is absorbed by the unique constraint."""
    keys = {hit.key for hit in hits}
    ids = dict(Finding.objects.filter(owner_id=owner_id, message_key__in=keys).values_list("message_key", "pk"))
    missing: dict[str, Hit] = {}
    for hit in hits:
        if hit.key not in ids:
            missing.setdefault(hit.key, hit)
    if missing:
        rows = [
            Finding(owner_id=owner_id, message_key=key, **finding_fields(hit.detected)) for key, hit in missing.items()
        ]
        for row in rows:
            row.history = history_before is not None and row.arrived_at < history_before
        Finding.objects.bulk_create(rows, ignore_conflicts=True)
        fresh = dict(
            Finding.objects.filter(owner_id=owner_id, message_key__in=list(missing)).values_list("message_key", "pk")
        )
        ids.update(fresh)
        # A key a concurrent worker stored at the same moment may be announced twice: receivers are idempotent.
        findings_recorded.send(sender=Finding, owner_id=owner_id, finding_ids=list(fresh.values()))
    return ids, set(missing)


@transaction.atomic
def record_batch(
    mailbox: Mailbox,
    folder: str,
    uidvalidity: int,
    last_uid: int,
    hits: list[Hit],
    examined: int,
    first_pass: bool = False,
) -> int:
    """Store one batch's findings and move the folder's cursor to last_uid. Returns new findings.
    first_pass: the folder's first read, whose older mail is history (settings.HISTORY_DAYS)."""
    ids, created = _findings(mailbox.owner_id, hits, history_before=_horizon() if first_pass else None)
    here = {
        finding_id: (pk, validity)
        for pk, finding_id, validity in Sighting.objects.filter(
            mailbox=mailbox, folder=folder, finding_id__in=set(ids.values())
        ).values_list("pk", "finding_id", "uidvalidity")
    }
    fresh = []
    for hit in hits:
        finding_id = ids[hit.key]
        seen = here.get(finding_id)
        if seen is None:
            fresh.append(
                Sighting(finding_id=finding_id, mailbox=mailbox, folder=folder, uidvalidity=uidvalidity, uid=hit.uid)
            )
            here[finding_id] = (None, uidvalidity)
        elif seen[0] is not None and seen[1] != uidvalidity:
            # The folder was renumbered (UIDVALIDITY changed): same message, new address.
            Sighting.objects.filter(pk=seen[0]).update(uidvalidity=uidvalidity, uid=hit.uid)
            here[finding_id] = (None, uidvalidity)
    Sighting.objects.bulk_create(fresh, ignore_conflicts=True)
    _advance_cursor(mailbox, folder, uidvalidity, last_uid, examined, first_read=first_pass)
    return len(created)


@transaction.atomic
def move_cursor(mailbox: Mailbox, folder: str, uidvalidity: int, last_uid: int) -> None:
    """Move the cursor past UIDs that were read and held nothing worth storing."""
    _advance_cursor(mailbox, folder, uidvalidity, last_uid, 0)


def _advance_cursor(
    mailbox: Mailbox, folder: str, uidvalidity: int, last_uid: int, examined: int, first_read: bool = False
) -> None:
    start = {"uidvalidity": uidvalidity, "last_uid": last_uid, "examined": examined, "first_read_done": not first_read}
    cursor, created = FolderCursor.objects.select_for_update().get_or_create(
        mailbox=mailbox, folder=folder, defaults=start
    )
    if created:
        return
    if cursor.uidvalidity != uidvalidity:
        FolderCursor.objects.filter(pk=cursor.pk).update(uidvalidity=uidvalidity, last_uid=last_uid, examined=examined)
    elif last_uid > cursor.last_uid or examined:
        FolderCursor.objects.filter(pk=cursor.pk).update(
            last_uid=max(last_uid, cursor.last_uid), examined=F("examined") + examined
        )


@transaction.atomic
def record_import(owner_id: int, source: str, detected: Detected, key: str) -> bool:
    """One message from a file given to import_mail. Returns True when the finding is new."""
    ids, created = _findings(owner_id, [Hit(0, detected, key)])
    Sighting.objects.get_or_create(finding_id=ids[key], mailbox=None, folder=source[:500])
    return bool(created)
