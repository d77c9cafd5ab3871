"""Why an address is on an attacker's list: hints, each with where it came from and when."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Min
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
            _enumeration_words(span["n"], span["first"], span["last"], waves),
            _("the codes Microsoft sent"),
            span["last"],
        )
    ]
    others = _other_providers_at_once(account, list(codes.values_list("arrived_at", flat=True)))
    if others:
        names = ", ".join(sorted(others))
        found.append(
            Hint(
                "elsewhere",
                _(
                    "Codes from %(names)s arrived within an hour of these: the same list is likely being tried on "
                    "other services too."
                )
                % {"names": names},
                _("codes from other providers in the same mailboxes"),
                max(others.values()),
            )
        )
    return found


def _enumeration_words(codes: int, first: datetime, last: datetime, waves: int) -> str:
    # Two counts in one sentence: the waves' plural is its own msgid, set into the codes' sentence.
    in_waves = ngettext("in %(waves)d wave", "in %(waves)d waves", waves) % {"waves": waves}
    return ngettext(
        "%(codes)d code nobody here asked for, from %(first)s to %(last)s, %(in_waves)s: someone is typing this "
        "address into Microsoft's sign-in, so it is on a list they hold.",
        "%(codes)d codes nobody here asked for, from %(first)s to %(last)s, %(in_waves)s: someone is typing this "
        "address into Microsoft's sign-in, so it is on a list they hold.",
        codes,
    ) % {
        "codes": codes,
        "first": dateformat.format(first, "d M Y"),
        "last": dateformat.format(last, "d M Y"),
        "in_waves": in_waves,
    }


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
            name = (provider[:1].upper() + provider[1:]) if provider else _("another provider")
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
                    _(
                        "Microsoft mail reached %(recipient)s: this address was given out as “+%(tag)s”, so that is "
                        "whose data most likely leaked."
                    )
                    % {"recipient": recipient, "tag": tag},
                    _("the address the mail was delivered to"),
                    row["last"],
                )
            )
        elif recipient != account.address and recipient in own:
            found.append(
                Hint(
                    "alias",
                    _(
                        "Microsoft mail reached the alias %(recipient)s: the list holds this alias, so it leaked "
                        "from wherever that alias was used."
                    )
                    % {"recipient": recipient},
                    _("the address the mail was delivered to"),
                    row["last"],
                )
            )
    return found


def _breaches(account: Account) -> list[Hint]:
    if not account.resolved:
        return []
    check, found = breaches.breaches_of(account.member.household_id, account.address)
    titles = {step.key: step.title for step in checklist.steps_for(account)}
    return [
        Hint(
            "breach",
            _breach_words(b),
            "Have I Been Pwned",
            check.checked_at,
            [titles[key] for key in breaches.steps_for(b) if key in titles],  # a work account has no alias step
        )
        for b in found
    ]


def _breach_words(b) -> str:
    # The breach's name, domain, date and data classes are Have I Been Pwned's data, shown as they come.
    named = b.title + (f" ({b.domain})" if b.domain else "") + (f", {b.breach_date:%b %Y}" if b.breach_date else "")
    if b.data_classes:
        exposed = ", ".join(b.data_classes).lower()
        return _("In the breach %(breach)s: exposed %(exposed)s.") % {"breach": named, "exposed": exposed}
    return _("In the breach %(breach)s.") % {"breach": named}
