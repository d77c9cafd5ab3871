"""Checking a household's addresses against Have I Been Pwned, and what a breach means for the checklist."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from otpdash.events import household_changed
from otpdash.secretbox import SecretUnreadable

from . import checklist
from .hibp import Client, HibpError
from .models import Account, Breach, BreachCheck, BreachSetting

log = logging.getLogger(__name__)

# What a breach's data classes (HIBP's names) mean for the checklist.
DATA_CLASS_STEPS = {
    "Passwords": "password",
    "Password hints": "password",
    "Email addresses": "alias",
    "Phone numbers": "security_info",
    "Security questions and answers": "security_info",
}
CATALOGUE_DAYS = 1


def check_household(household_id: int, client: Client | None = None) -> str:
    """Ask about every resolved account address not checked lately. Stops at the first setup error
    (shown to admins) or rate limit (honoured: nothing is asked before retry_at)."""
    setting = BreachSetting.objects.filter(household_id=household_id, enabled=True).first()
    if setting is None:
        return "off"
    now = timezone.now()
    if setting.retry_at and setting.retry_at > now:
        return f"waiting until {setting.retry_at.isoformat()}"
    try:
        client = client or Client(key=setting.get_key())
    except SecretUnreadable as exc:  # the key file was lost: say so where admins look, ask nothing
        problem = f"The saved API key cannot be decrypted ({exc}); enter it again."
        BreachSetting.objects.filter(pk=setting.pk).update(problem=problem[:300], problem_at=now)
        return "stopped: key unreadable"
    stale = now - timedelta(days=settings.HIBP_RECHECK_DAYS)
    recent = set(
        BreachCheck.objects.filter(household_id=household_id, checked_at__gte=stale).values_list("address", flat=True)
    )
    addresses = sorted(
        set(Account.objects.filter(member__household_id=household_id, resolved=True).values_list("address", flat=True))
        - recent
    )
    checked = 0
    try:
        if addresses:
            refresh_catalogue(client)
        for address in addresses:
            names = client.breaches_for(address)
            BreachCheck.objects.update_or_create(
                household_id=household_id, address=address, defaults={"checked_at": timezone.now(), "breaches": names}
            )
            reopen_for_breaches(household_id, address, names)
            checked += 1
    except HibpError as exc:
        fields = {"problem": str(exc)[:300], "problem_at": timezone.now()} if exc.setup else {}
        if exc.retry_after:
            fields["retry_at"] = timezone.now() + timedelta(seconds=exc.retry_after)
        if not fields:  # unreachable or odd: logged, tried again at the next run
            log.warning("Have I Been Pwned check stopped: %s", exc)
        BreachSetting.objects.filter(pk=setting.pk).update(**fields)
        return f"checked {checked}, stopped: {exc}"
    BreachSetting.objects.filter(pk=setting.pk).update(problem="", problem_at=None, retry_at=None)
    if checked:
        household_changed.send(sender=BreachCheck, household_id=household_id)
    return f"checked {checked}"


def refresh_catalogue(client: Client) -> None:
    fresh = timezone.now() - timedelta(days=CATALOGUE_DAYS)
    if Breach.objects.filter(fetched_at__gte=fresh).exists():
        return
    now = timezone.now()
    with transaction.atomic():
        for item in client.catalogue():
            Breach.objects.update_or_create(
                name=str(item["Name"])[:200],
                defaults={
                    "title": str(item.get("Title") or item["Name"])[:200],
                    "domain": str(item.get("Domain") or "")[:253],
                    "breach_date": parse_date(str(item.get("BreachDate") or "")) or None,
                    "added_at": parse_datetime(str(item.get("AddedDate") or "")) or None,
                    "data_classes": [str(c) for c in item.get("DataClasses") or []],
                    "fetched_at": now,
                },
            )


def steps_for(breach: Breach) -> list[str]:
    return sorted({DATA_CLASS_STEPS[c] for c in breach.data_classes if c in DATA_CLASS_STEPS})


def reopen_for_breaches(household_id: int, address: str, names: list[str]) -> None:
    """A breach that exposed passwords, made public after the password was changed, reopens that step."""
    breaches = Breach.objects.filter(name__in=names, added_at__isnull=False)
    for account in Account.objects.filter(member__household_id=household_id, address=address):
        for breach in breaches:
            if "password" in steps_for(breach):
                reason = f"the breach {breach.title} (made public {breach.added_at:%d %b %Y}) exposed passwords"
                checklist.reopen(account, {"password": reason}, since=breach.added_at)


def breaches_of(household_id: int, address: str) -> tuple[BreachCheck | None, list[Breach]]:
    check = BreachCheck.objects.filter(household_id=household_id, address=address).first()
    if check is None:
        return None, []
    known = {b.name: b for b in Breach.objects.filter(name__in=check.breaches)}
    return check, [known.get(name) or Breach(name=name, title=name) for name in check.breaches]
