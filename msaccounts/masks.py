"""Microsoft's masked account hints, and which known addresses fit one. Pure: no Django.

Microsoft shows the account a code is for as the first two characters of the local part, two
asterisks and its last character (`ja**a@outlook.com`); until about 2020 as the first two and five
asterisks (`pr*****@gmail.com`). Both are read here as "visible start, a run of asterisks, visible
end (maybe empty), @domain", so a third variant in the same spirit is read too. How Microsoft masks
local parts of one to three characters is not documented, so a start and an end may overlap there.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_ADDRESS = 254


@dataclass(frozen=True)
class Mask:
    start: str
    end: str
    domain: str

    def fits(self, address: str) -> bool:
        local, at, domain = normalise(address).rpartition("@")
        if not at or domain != self.domain:
            return False
        return local.startswith(self.start) and local.endswith(self.end)


def normalise(address: str) -> str:
    return (address or "").strip().lower()


def parse(hint: str) -> Mask | None:
    """The mask a hint shows, or None when the hint is a full address (or not an address at all)."""
    hint = normalise(hint)
    if len(hint) > MAX_ADDRESS or hint.count("@") != 1:
        return None
    local, _, domain = hint.partition("@")
    stars = local.find("*")
    if stars < 0 or not domain or "." not in domain:
        return None
    run_end = stars
    while run_end < len(local) and local[run_end] == "*":
        run_end += 1
    start, end = local[:stars], local[run_end:]
    if "*" in end or not (start or end):
        return None  # two runs of asterisks, or nothing visible: not a Microsoft mask
    return Mask(start=start, end=end, domain=domain)


def is_address(value: str) -> bool:
    """A full address as a hint or a profile holds it: one @, something either side, no mask."""
    value = normalise(value)
    local, at, domain = value.partition("@")
    return bool(at and local and "." in domain and "@" not in domain and "*" not in value and len(value) <= MAX_ADDRESS)


def fitting(hint: str, known: set[str] | list[str]) -> list[str]:
    """The known full addresses a masked hint could stand for, sorted; none for a full address."""
    mask = parse(hint)
    if mask is None:
        return []
    return sorted({normalise(a) for a in known if is_address(a) and mask.fits(a)})


def resolve(hint: str, known: set[str] | list[str]) -> str | None:
    """The one known address a masked hint stands for, or None when none or several fit."""
    fits = fitting(hint, known)
    return fits[0] if len(fits) == 1 else None


def plus_tag(address: str) -> str:
    """The tag of a plus address (`name+shop@...` gives "shop"), or ""."""
    local = normalise(address).rpartition("@")[0]
    return local.partition("+")[2] if "+" in local else ""
