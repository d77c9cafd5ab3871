"""What a mailbox's first scan found from before OTP Dash watched it: one summary per person
(accounts targeted, codes per month, the last wave) instead of an incident per old wave."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import dateformat

from msaccounts.models import WAVE_GAP, Account
from scanner.models import Finding

C = Finding.Category
CODES = (C.MS_CODE, C.UNVERIFIED)


@dataclass
class Wave:
    start: datetime
    end: datetime
    codes: int = 0


@dataclass
class PastActivity:
    total: int
    codes: int
    notices: int
    lookalikes: int
    first: datetime
    last_wave: Wave
    # (account, how many findings were about it), most targeted first.
    accounts: list[tuple[Account, int]] = field(default_factory=list)
    # ("Oct 2026", codes), newest month first.
    months: list[tuple[str, int]] = field(default_factory=list)


def past_activity(member, zone) -> PastActivity | None:
    """The member's history findings summed up; None when the first scan found nothing old. Two
    queries: the findings' few columns, then the accounts they name."""
    rows = list(
        Finding.objects.filter(owner_id=member.user_id, history=True)
        .order_by("arrived_at", "id")
        .values_list("arrived_at", "category", "account_link__account_id")
    )
    if not rows:
        return None
    per_account = Counter(account for _, _, account in rows if account)
    accounts = Account.objects.in_bulk(list(per_account))
    months = Counter()
    for at, category, _ in rows:
        if category in CODES:
            local = at.astimezone(zone)
            months[(local.year, local.month)] += 1
    return PastActivity(
        total=len(rows),
        codes=sum(months.values()),
        notices=sum(1 for _, category, _ in rows if category == C.MS_ALERT),
        lookalikes=sum(1 for _, category, _ in rows if category == C.PHISHING),
        first=rows[0][0],
        last_wave=_last_wave([(at, category) for at, category, _ in rows]),
        accounts=[(accounts[pk], n) for pk, n in per_account.most_common() if pk in accounts],
        months=[(dateformat.format(datetime(y, m, 1), "M Y"), n) for (y, m), n in sorted(months.items(), reverse=True)],
    )


def _last_wave(rows: list[tuple[datetime, str]]) -> Wave:
    """The newest run of mail with no day-long gap (the incidents' own wave rule)."""
    wave = Wave(start=rows[-1][0], end=rows[-1][0])
    for at, category in reversed(rows):
        if wave.start - at > WAVE_GAP:
            break
        wave.start = at
        wave.codes += category in CODES
    return wave
