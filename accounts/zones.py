"""Time zones a person can pick: the tz database's own list of zones per country, not every name it knows.

`zoneinfo.available_timezones()` holds about 600 names, old aliases among them (Africa/Asmera, US/Eastern).
The tz database lists the zones worth choosing in zone.tab, one or more per country with a note on the
area each covers, and records every alias as a link to its zone in tzdata.zi. Both come from the pinned
`tzdata` package, so the list is the same on every machine. A typed alias is read as the zone it links to;
a typed city or country is read as its zone when only one fits.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from functools import cache
from importlib import resources

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Zone:
    name: str  # the IANA name, as stored
    label: str  # "Germany – Berlin (most of Germany)"
    country: str
    city: str


def _tz_file(name: str) -> list[str]:
    text = resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@cache
def zones() -> tuple[Zone, ...]:
    """Every zone of zone.tab that this machine's zoneinfo can load, plus UTC, sorted by label."""
    countries = dict(line.split("\t")[:2] for line in _tz_file("iso3166.tab"))
    loadable = set(_loadable().values())
    found = [Zone("UTC", "UTC (Coordinated Universal Time)", "", "UTC")]
    for line in _tz_file("zone.tab"):
        code, _coordinates, name, *note = line.split("\t")
        if name not in loadable:
            continue
        city = name.rsplit("/", 1)[-1].replace("_", " ")
        country = countries.get(code, code)
        label = f"{country} – {city}" + (f" ({note[0]})" if note and note[0] else "")
        found.append(Zone(name, label, country, city))
    return tuple(sorted(found, key=lambda zone: zone.label.casefold()))


@cache
def _loadable() -> dict[str, str]:
    """Every name zoneinfo can load, by its case-folded form: available_timezones() walks the zone
    directories on each call, so once per process is enough."""
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


@cache
def _by_name() -> dict[str, Zone]:
    return {zone.name: zone for zone in zones()}


@cache
def _links() -> dict[str, str]:
    """Alias -> zone, from the "L target alias" lines of tzdata.zi."""
    links = {}
    for line in _tz_file("tzdata.zi"):
        if line.startswith("L "):
            _, target, alias = line.split()
            links[alias] = target
    return links


class UnknownZone(ValueError):
    pass


def resolve(text: str) -> str:
    """The zone a person meant by what they typed or picked; UnknownZone says why none fits."""
    typed = " ".join(text.split())
    if not typed:
        raise UnknownZone(_("Type a city or country, or pick a time zone from the list."))
    by_name, folded = _by_name(), typed.casefold()
    for zone in by_name.values():
        if folded in (zone.name.casefold(), zone.label.casefold()):
            return zone.name
    loadable = _loadable()
    if folded in loadable:
        name = loadable[folded]
        target = _links().get(name, name)
        # An old alias becomes the listed zone it links to; a valid zone the list leaves out
        # (Etc/GMT+5, say) is kept as the person typed it.
        return target if target in by_name else name
    fits = [z for z in by_name.values() if folded in (z.city.casefold(), z.country.casefold())]
    if len(fits) == 1:
        return fits[0].name
    if fits:
        names = ", ".join(zone.name for zone in fits[:6]) + (", …" if len(fits) > 6 else "")
        shown = {"typed": typed, "count": len(fits), "names": names}
        raise UnknownZone(
            ngettext(
                "%(typed)s has %(count)d time zone (%(names)s); pick one from the list.",
                "%(typed)s has %(count)d time zones (%(names)s); pick one from the list.",
                len(fits),
            )
            % shown
        )
    raise UnknownZone(
        _("%(typed)r is not a time zone we know; type a city or country, such as Europe/Berlin.") % {"typed": typed}
    )
