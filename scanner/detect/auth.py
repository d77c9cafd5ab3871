"""The receiving server's verdict on who sent a message.

Only the top-most Authentication-Results header counts: it is the one our own receiving server
added. ARC-Authentication-Results i=1 and X-MS-Exchange-Authentication-Results say dkim=none even
on genuine Microsoft mail (Microsoft seals before it signs), so they are never read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message
from functools import lru_cache

import authres

from .domains import registrable
from .message import HEADER_VALUE_LIMIT

_FALLBACK_RESULT = re.compile(r"(?:^|;)\s*([a-z][a-z0-9-]*)\s*=\s*([a-z]+)", re.I)
_FALLBACK_PROP = re.compile(r"\b(header\.(?:from|d|i)|smtp\.mailfrom)\s*=\s*([^\s;()]+)", re.I)
_COMMENT = re.compile(r"\([^()]*\)")
_PASSING = {"pass", "bestguesspass"}
_FAILING = {"fail", "softfail", "permerror", "hardfail"}


@dataclass(frozen=True)
class AuthResults:
    present: bool = False
    dmarc: str | None = None
    dmarc_from: str | None = None
    compauth: str | None = None
    spf: str | None = None
    spf_domain: str | None = None
    dkim: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (result, signing domain)


def top_results(msg: Message) -> AuthResults:
    values = msg.get_all("Authentication-Results") or []
    if not values:
        return AuthResults()
    # Capped: a receiving server's results are a few hundred bytes; a crafted one must not cost more.
    return parse_value(" ".join(str(values[0])[:HEADER_VALUE_LIMIT].split()))


@lru_cache(maxsize=4096)
def parse_value(value: str) -> AuthResults:
    """Cached: a receiving server writes the same results for every mail of one sender, and
    authres's parser compiles its patterns on every call."""
    value = value.strip().rstrip(";").strip()
    first = value.split(";", 1)[0]
    if "=" in first:  # Exchange Online omits the authserv-id that RFC 8601 requires
        value = "authserv.invalid; " + value
    out = {"present": True, "dkim": []}
    try:
        header = authres.AuthenticationResultsHeader.parse_value(value)
        for result in header.results:
            props = {f"{p.type}.{p.name}".lower(): str(p.value) for p in result.properties}
            _take(out, result.method.lower(), (result.result or "").lower(), props)
    except Exception:
        out = {"present": True, "dkim": []}
        _fallback(out, value)
    return AuthResults(**{**out, "dkim": tuple(out["dkim"])})


def _fallback(out: dict, value: str) -> None:
    for chunk in _COMMENT.sub(" ", value).split(";")[1:]:
        found = _FALLBACK_RESULT.search(";" + chunk)
        if not found:
            continue
        props = {k.lower(): v for k, v in _FALLBACK_PROP.findall(chunk)}
        _take(out, found.group(1).lower(), found.group(2).lower(), props)


def _take(out: dict, method: str, result: str, props: dict) -> None:
    if method == "dmarc" and "dmarc" not in out:
        out["dmarc"] = result
        out["dmarc_from"] = props.get("header.from", "").lower() or None
    elif method == "compauth" and "compauth" not in out:
        out["compauth"] = result
    elif method == "spf" and "spf" not in out:
        out["spf"] = result
        mailfrom = props.get("smtp.mailfrom", "")
        out["spf_domain"] = mailfrom.rpartition("@")[2].lower() or None
    elif method == "dkim":
        domain = props.get("header.d") or props.get("header.i", "").rpartition("@")[2]
        out["dkim"].append((result, domain.lower()))


def verdict(results: AuthResults, from_domain: str) -> str:
    """pass, fail, none or unknown for the From domain, as the receiving server judged it."""
    if not results.present:
        return "unknown"
    org = registrable(from_domain)
    if results.dmarc in _FAILING or results.compauth == "fail":
        return "fail"
    if results.dmarc in _PASSING:
        if not results.dmarc_from or registrable(results.dmarc_from) == org:
            return "pass"
        return "fail"
    aligned = [r for r, d in results.dkim if d and registrable(d) == org]
    if any(r == "pass" for r in aligned):
        return "pass"
    if any(r in _FAILING for r, _ in results.dkim):
        return "fail"
    if results.spf in _FAILING and not any(r == "pass" for r, _ in results.dkim):
        return "fail"
    if results.dmarc in ("temperror",):
        return "unknown"
    return "none"


def signed_by(results: AuthResults) -> set[str]:
    """Registrable domains whose DKIM signature the server saw, verified or not (replay tell)."""
    return {registrable(d) for _, d in results.dkim if d and d != "none"}
