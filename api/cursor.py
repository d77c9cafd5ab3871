"""Cursor pagination: keyset on (a column that never changes, the row's UUID code), so a walk sees
every row once even while new rows arrive, and the cursor names no integer id. The cursor is signed
and bound to its route: an edited cursor, or one from another list, is refused instead of misread.

Not Ninja's CursorPagination: it positions by one column plus an offset it caps at 100 rows, so a
burst of codes stored in the same instant could not be walked, and its cursor is plain base64."""

from __future__ import annotations

import uuid
from datetime import datetime
from urllib.parse import urlencode

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from ninja.errors import HttpError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_SALT = "otpdash.api.cursor:"


def page(request, rows: QuerySet, field: str, cursor: str | None, limit: int, newest_first: bool = True) -> dict:
    """{"items": up to `limit` rows, "next": the URL of the next page or None}, ordered by field then code."""
    step = "lt" if newest_first else "gt"
    sign = "-" if newest_first else ""
    rows = rows.order_by(f"{sign}{field}", f"{sign}code")
    if cursor:
        value, code = _read(cursor, request.path)
        rows = rows.filter(Q(**{f"{field}__{step}": value}) | Q(**{field: value, f"code__{step}": code}))
    found = list(rows[: limit + 1])
    items = found[:limit]
    following = None
    if len(found) > limit:
        last = items[-1]
        position = [getattr(last, field).isoformat(), str(last.code)]
        query = request.GET.copy()
        query["cursor"] = signing.dumps(position, salt=_SALT + request.path, compress=True)
        following = request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.items()))}")
    return {"items": items, "next": following}


def _read(cursor: str, path: str) -> tuple[datetime, uuid.UUID]:
    try:
        value, code = signing.loads(cursor, salt=_SALT + path)
        return datetime.fromisoformat(value), uuid.UUID(code)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        message = _("This cursor is not one this list gave out, or it was cut short: start again without it.")
        raise HttpError(422, message) from exc
