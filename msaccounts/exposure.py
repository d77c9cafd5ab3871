"""Why an address is on an attacker's list: hints, each with where it came from and when."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Min

from incidents.models import Incident
from scanner.models import Finding

from . import breaches, checklist, masks
from .models import Account

# Another provider's code this close to an unsolicited Microsoft code: the same list, tried elsewhere.
SAME_TIME = timedelta(hours=1)


@dataclass
class Hint:
    kind: str
    text: str
    source: str
    when: datetime | None = None
    steps: list[str] = field(default_factory=list)


def hints_for(account: Account) -> list[Hint]:
    return [*_enumeration(account), *_aliases(account), *_breaches(account)]


def _enumeration(account: Account) -> list[Hint]:
    codes = account.seen().codes().filter(status=Finding.Status.UNSOLICITED)
    span = codes.aggregate(n=Count("pk"), first=Min("arrived_at"), last=Max("arrived_at"))
    if not span["n"]:
        return []
    waves = Incident.objects.filter(account=account, kind=Incident.Kind.ACCOUNT).count()
    found = [
        Hint(
            "enumeration",
            f"{span['n']} code{'s' if span['n'] != 1 else ''} nobody here asked for, from {span['first']:%d %b %Y} "
            f"to {span['last']:%d %b %Y}, in {waves} wave{'s' if waves != 1 else ''}: someone is typing this address "
            "into Microsoft's sign-in, so it is on a list they hold.",
            "the codes Microsoft sent",
            span["last"],
        )
    ]
    others = _other_providers_at_once(account, list(codes.values_list("arrived_at", flat=True)))
    if others:
        names = ", ".join(sorted(others))
        found.append(
            Hint(
                "elsewhere",
                f"Codes from {names} arrived within an hour of these: the same list is likely being tried on other "
                "services too.",
                "codes from other providers in the same mailboxes",
                max(others.values()),
            )
        )
    return found


def _other_providers_at_once(account: Account, moments: list[datetime]) -> dict[str, datetime]:
    if not moments:
        return {}
    nearby = Finding.objects.filter(
        owner_id=account.member.user_id,
        category=Finding.Category.OTHER_CODE,
        arrived_at__range=(min(moments) - SAME_TIME, max(moments) + SAME_TIME),
    ).values_list("provider", "arrived_at")
    found: dict[str, datetime] = {}
    for provider, at in nearby:
        if any(abs(at - moment) <= SAME_TIME for moment in moments):
            name = (provider[:1].upper() + provider[1:]) if provider else "another provider"
            found[name] = max(at, found.get(name, at))
    return found


def _aliases(account: Account) -> list[Hint]:
    """A plus address or a per-service alias names whose data the address leaked from."""
    rows = account.seen().exclude(recipient="").values("recipient").annotate(last=Max("arrived_at"))
    own = {masks.normalise(a) for a in account.member.addresses or []}
    found = []
    for row in rows:
        recipient = row["recipient"]
        tag = masks.plus_tag(recipient)
        if tag:
            found.append(
                Hint(
                    "plus",
                    f"Microsoft mail reached {recipient}: this address was given out as “+{tag}”, so that is "
                    "whose data most likely leaked.",
                    "the address the mail was delivered to",
                    row["last"],
                )
            )
        elif recipient != account.address and recipient in own:
            found.append(
                Hint(
                    "alias",
                    f"Microsoft mail reached the alias {recipient}: the list holds this alias, so it leaked from "
                    "wherever that alias was used.",
                    "the address the mail was delivered to",
                    row["last"],
                )
            )
    return found


def _breaches(account: Account) -> list[Hint]:
    if not account.resolved:
        return []
    check, found = breaches.breaches_of(account.member.household_id, account.address)
    return [
        Hint(
            "breach",
            f"In the breach {b.title}{f' ({b.domain})' if b.domain else ''}"
            f"{f', {b.breach_date:%b %Y}' if b.breach_date else ''}"
            f"{': exposed ' + ', '.join(b.data_classes).lower() if b.data_classes else ''}.",
            "Have I Been Pwned",
            check.checked_at,
            [checklist.BY_KEY[key].title for key in breaches.steps_for(b)],
        )
        for b in found
    ]
