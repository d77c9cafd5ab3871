"""Times: everything is converted to UTC, never compared as strings (Microsoft dates in Pacific time)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.message import Message
from email.utils import parsedate_to_datetime

_MONTHS = {}
for _number, _names in enumerate(
    [
        "jan january januar janvier enero janeiro gennaio januari styczeń stycznia januari ocak января січня",
        "feb february februar février febrero fevereiro febbraio februari luty lutego februari şubat февраля лютого",
        "mar march märz mars marzo março marzo maart marzec marca mars mart марта березня",
        "apr april april avril abril abril aprile april kwiecień kwietnia april nisan апреля квітня",
        "may mai mayo maio maggio mei maj maja maj mayıs мая травня",
        "jun june juni juin junio junho giugno juni czerwiec czerwca juni haziran июня червня",
        "jul july juli juillet julio julho luglio juli lipiec lipca juli temmuz июля липня",
        "aug august august août agosto agosto agosto augustus sierpień sierpnia augusti ağustos августа серпня",
        "sep sept september september septembre septiembre setembro settembre september wrzesień września september eylül сентября вересня",
        "oct october oktober octobre octubre outubro ottobre oktober październik października oktober ekim октября жовтня",
        "nov november november novembre noviembre novembro novembre november listopad listopada november kasım ноября листопада",
        "dec december dezember décembre diciembre dezembro dicembre december grudzień grudnia december aralık декабря грудня",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS.setdefault(_name, _number)

_WORD = re.compile(r"[^\W\d_]+\.?", re.U)
_TIME = re.compile(r"(\d{1,2})[:.h](\d{2})(?::(\d{2}))?\s*([ap]\.?\s?m\.?)?", re.I)
_OFFSET = re.compile(r"(?:gmt|utc)?\s*([+-])(\d{2}):?(\d{2})\b", re.I)
_NUMERIC = re.compile(r"\b(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})\b")
_CJK = re.compile(r"(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})")


def to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def header_date(value) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(str(value))  # compat32 hands a Header object for raw 8-bit values
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    try:
        return to_utc(parsed)
    except (OverflowError, ValueError):
        return None


def message_time(msg: Message) -> datetime | None:
    """The Date header in UTC, else the time our own server stamped on the top Received header."""
    when = header_date(msg.get("Date"))
    if when:
        return when
    received = msg.get("Received")
    if received:
        return header_date(str(received).rpartition(";")[2].strip())
    return None


def offset_of(msg: Message) -> timezone:
    """The sender's UTC offset, to read dates in a forwarded header block that carry none."""
    try:
        parsed = parsedate_to_datetime(str(msg.get("Date") or ""))
        if parsed and parsed.tzinfo:
            return parsed.tzinfo  # type: ignore[return-value]
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    return timezone.utc


def loose_date(text: str, default_tz, day_first: bool = True) -> datetime | None:
    """A date as mail clients write it in a forward block or a sign-in notice, in any of our languages:
    'Wed, Jan 14, 2026 at 3:24 AM', 'domingo, 8 de marzo de 2026 4:14', '5/12/2026 1:01 AM (GMT)'."""
    text = text.strip()
    strict = header_date(text)
    if strict:
        return strict
    try:
        return _loose(text, default_tz, day_first)
    except (ValueError, OverflowError):
        return None


def _loose(text: str, default_tz, day_first: bool) -> datetime | None:
    lowered = text.lower()
    year = month = day = None
    cjk = _CJK.search(lowered)
    numeric = _NUMERIC.search(lowered)
    rest = lowered
    if cjk:
        year, month, day = int(cjk.group(1)), int(cjk.group(2)), int(cjk.group(3))
        rest = lowered[cjk.end() :]
    elif numeric:
        a, b, c = (int(g) for g in numeric.groups())
        if a > 31:
            year, month, day = a, b, c
        else:
            year = c
            month, day = (b, a) if day_first else (a, b)
            if month > 12:
                month, day = day, month
        rest = lowered[numeric.end() :]
    else:
        for word in _WORD.findall(lowered):
            number = _MONTHS.get(word.rstrip("."))
            if number:
                month = number
                break
        years = re.findall(r"\b(\d{4})\b", lowered)
        days = [int(d) for d in re.findall(r"\b(\d{1,2})\b(?![:.]\d)", lowered)]
        if not (month and years and days):
            return None
        year, day = int(years[0]), days[0]
        rest = lowered.split(years[0], 1)[1] if years[0] in lowered else lowered
    if year is None or not (1 <= (month or 0) <= 12) or not (1 <= (day or 0) <= 31):
        return None
    if year < 100:
        year += 2000
    hour = minute = second = 0
    found = _TIME.search(rest)
    if found:
        hour, minute = int(found.group(1)), int(found.group(2))
        second = int(found.group(3) or 0)
        meridiem = (found.group(4) or "").replace(".", "").replace(" ", "")
        if meridiem == "pm" and hour < 12:
            hour += 12
        elif meridiem == "am" and hour == 12:
            hour = 0
    tz = default_tz
    if "gmt" in rest or "utc" in rest:
        tz = timezone.utc
    offset = _OFFSET.search(rest[found.end() :] if found else rest)
    if offset:
        sign = 1 if offset.group(1) == "+" else -1
        tz = timezone(sign * timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3))))
    return to_utc(datetime(year, month, day, hour, minute, second, tzinfo=tz))
