"""The receiving server's verdict on who sent a message (RFC 8601).

An Authentication-Results (AR) header is worth what the server that wrote it is worth. Trusted are
the AR headers the receiving organisation wrote: every one above the Received line that records the
mail entering it from outside (nothing above that line can come from outside), and, just below it
(where Gmail and others write theirs), those whose authserv-id belongs to the organisation that
wrote that line. A receiver may write one header per check (Fastmail, iCloud, Postfix milters):
they are merged, the topmost answer per check first. Exchange Online writes its header without
an authserv-id. ARC-Authentication-Results and X-MS-Exchange-Authentication-Results record earlier
hops (Microsoft's own say dkim=none on genuine mail) and are never read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from email.message import Message
from functools import lru_cache

import authres

from .domains import MICROSOFT_MAIL_HOSTS, registrable
from .hops import find_border, parse_received
from .message import HEADER_VALUE_LIMIT
from .receivers import NOBODY, Receiver, same_organisation

_FALLBACK_RESULT = re.compile(r"(?:^|;)\s*([a-z][a-z0-9-]*)\s*=\s*([a-z]+)", re.I)
_FALLBACK_PROP = re.compile(r"\b(header\.(?:from|d|i)|smtp\.mailfrom|reason)\s*=\s*([^\s;()]+)", re.I)
_COMMENT = re.compile(r"\([^()]*\)")
_PASSING = {"pass", "bestguesspass"}
_FAILING = {"fail", "softfail", "permerror", "hardfail"}


@dataclass(frozen=True)
class AuthResults:
    present: bool = False
    dmarc: str | None = None
    dmarc_from: str | None = None
    compauth: str | None = None
    compauth_reason: str | None = None
    spf: str | None = None
    spf_domain: str | None = None
    arc: str | None = None  # the receiver's check of the ARC chain a relay sealed
    dkim: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (result, signing domain)
    # The authserv-ids of headers written where the border was unambiguous (a named receiver whose
    # own domain wrote them): what a mailbox learns to trust.
    writers: tuple[str, ...] = ()


def receiver_results(msg: Message, receiver: Receiver = NOBODY) -> AuthResults:
    """The receiving organisation's AR headers, merged; empty when it wrote none."""
    values, named = _trusted(msg.items(), receiver)
    if not values:
        return AuthResults()
    writers = tuple(
        dict.fromkeys(w for w in map(authserv_id, values) if w and named and same_organisation(registrable(w), named))
    )
    return replace(merge([parse_value(value) for value in values]), writers=writers)


def trusted_values(items: list[tuple[str, str]], receiver: Receiver = NOBODY) -> list[str]:
    """The values of the trusted AR headers (and Received-SPF, as an AR spf entry), top down."""
    return _trusted(items, receiver)[0]


def _trusted(items: list[tuple[str, str]], receiver: Receiver) -> tuple[list[str], str | None]:
    """trusted_values(), and the receiver's name when a border hop named it."""
    fields = [(name.lower(), " ".join(str(value)[:HEADER_VALUE_LIMIT].split())) for name, value in items]
    hops = [(index, parse_received(value)) for index, (name, value) in enumerate(fields) if name == "received"]
    border = find_border(hops, receiver)
    if border is not None:
        below = next((index for index, _ in hops if index > border[0]), len(fields))
        limit, org = below, border[1]
    elif hops:  # no hop from outside: only the organisation that handled it may speak
        limit, org = len(fields), next((hop.by_org for _, hop in hops if hop.by_org), None)
    else:  # no Received at all: a file saved by hand; the top header is the only evidence
        limit, org = len(fields), None
    trusted: list[str] = []
    for index, (name, value) in enumerate(fields[:limit]):
        if name not in _VERDICT_FIELDS:
            continue
        if border is not None and index > border[0] and not _in_run_below(fields, border[0], index):
            continue  # below the border, only the receiver's own run of headers right under its line
        above_border = border is not None and index < border[0]
        if not (above_border or not hops or _written_by(value, org, name, receiver)):
            continue
        trusted.append(value if name == "authentication-results" else _received_spf(value))
    return [value for value in trusted if value], org if border is not None else None


_VERDICT_FIELDS = ("authentication-results", "received-spf")
# What the sending side wrote: the receiver's own headers under its Received line end where these
# begin. Anything else there (Return-Path, X-Originating-Ip, DKIM-Filter, a provider's X- lines) is
# the receiver's too and does not end its run.
_SENDER_SIDE = frozenset(
    {
        "received", "dkim-signature", "arc-seal", "arc-message-signature", "arc-authentication-results",
        "x-ms-exchange-authentication-results", "from", "sender", "to", "cc", "reply-to", "subject", "date",
        "message-id", "mime-version", "content-type", "content-transfer-encoding", "in-reply-to", "references",
        "x-mailer", "user-agent", "organization", "list-id", "list-unsubscribe", "feedback-id", "precedence",
    }
)  # fmt: skip


def _in_run_below(fields: list[tuple[str, str]], border: int, index: int) -> bool:
    """Whether nothing the sender wrote sits between the border's Received line and this header."""
    return not any(name in _SENDER_SIDE for name, _ in fields[border + 1 : index])


def _written_by(value: str, org: str | None, name: str, receiver: Receiver) -> bool:
    """Whether the receiver wrote a header in its run: its authserv-id is the organisation's that
    took the mail, the mailbox's own provider's, or one this mailbox learned to trust."""
    if name == "received-spf":
        return org is not None or bool(receiver.organisation)  # it names no writer: the run only
    authserv = authserv_id(value)
    if authserv is None:  # Exchange Online's layout: only Microsoft's own mail hosts write it
        return org in MICROSOFT_MAIL_HOSTS
    if authserv in receiver.authserv_ids or receiver.owns(registrable(authserv)):
        return True
    return org is not None and same_organisation(registrable(authserv), org)


def authserv_id(value: str) -> str | None:
    first = value.split(";", 1)[0].strip()
    if not first or "=" in first:
        return None
    return first.split()[0].lower()


def merge(results: list[AuthResults]) -> AuthResults:
    """One verdict per check from several headers: the topmost header's answer wins; every DKIM
    signature counts."""
    out: dict = {"present": True}
    for field_name in ("dmarc", "dmarc_from", "compauth", "compauth_reason", "spf", "spf_domain", "arc"):
        out[field_name] = next((getattr(r, field_name) for r in results if getattr(r, field_name)), None)
    out["dkim"] = tuple(signature for r in results for signature in r.dkim)
    return AuthResults(**out)


_SPF_RESULT = re.compile(r"^\s*(pass|fail|softfail|neutral|none|temperror|permerror)\b", re.I)
_SPF_FROM = re.compile(r"\benvelope-from=\"?<?([^\s;\">]{1,254})", re.I)


def _received_spf(value: str) -> str | None:
    """A Received-SPF header (Postfix policyd-spf, Gmail) as an AR spf entry."""
    result = _SPF_RESULT.match(value)
    if not result:
        return None
    sender = _SPF_FROM.search(value)
    mailfrom = f" smtp.mailfrom={sender.group(1)}" if sender else ""
    return f"received-spf.invalid; spf={result.group(1).lower()}{mailfrom}"


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
            if result.reason:
                props["reason"] = str(result.reason)
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
        out["dmarc_from"] = _domain_of(props.get("header.from", ""))
    elif method == "compauth" and "compauth" not in out:
        out["compauth"] = result
        out["compauth_reason"] = props.get("reason", "").strip('"') or None
    elif method == "spf" and "spf" not in out:
        out["spf"] = result
        mailfrom = props.get("smtp.mailfrom", "")
        out["spf_domain"] = mailfrom.rpartition("@")[2].lower() or None
    elif method == "arc" and "arc" not in out:
        out["arc"] = result
    elif method == "dkim":
        domain = props.get("header.d") or props.get("header.i", "").rpartition("@")[2]
        out["dkim"].append((result, domain.lower()))


_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}\.)+[a-z0-9-]{1,63}$")


def _domain_of(value: str) -> str | None:
    """header.from as a domain: some receivers write the whole address, in angle brackets or not.
    None when it is not a domain at all, so an odd value is never read as a mismatch."""
    value = value.strip().strip('<>"').rpartition("@")[2].rstrip(".").lower()
    return value if _DOMAIN.match(value) else None


# compauth reason 130: Microsoft overrode a DMARC failure because a sealer it trusts (ARC) vouched
# for the mail before it was changed on the way (a list or a forwarding service).
_TRUSTED_ARC_OVERRIDE = "130"


def verdict(results: AuthResults, from_domain: str) -> str:
    """pass, fail, none or unknown for the From domain, as the receiving server judged it."""
    if not results.present:
        return "unknown"
    org = registrable(from_domain)
    if results.compauth == "pass" and results.compauth_reason == _TRUSTED_ARC_OVERRIDE:
        return "pass"
    if results.dmarc in _FAILING or results.compauth == "fail":
        return "fail"
    if results.dmarc in _PASSING:
        if not results.dmarc_from or registrable(results.dmarc_from) == org:
            return "pass"
        return "fail"
    if results.compauth == "pass":
        return "pass"  # Exchange Online's composite verdict on the From domain
    aligned = [r for r, d in results.dkim if d and registrable(d) == org]
    if any(r == "pass" for r in aligned):
        return "pass"
    if results.spf == "pass" and results.spf_domain and registrable(results.spf_domain) == org:
        return "pass"  # SPF aligned with the From domain (relaxed alignment, RFC 7489)
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


def top_says_dmarc_fail(msg: Message) -> bool:
    """Whether the topmost Authentication-Results header, whoever wrote it, says dmarc=fail: with
    the mail in Junk, the receiver's word even where its header could not be attributed to it."""
    value = msg.get("Authentication-Results")
    return value is not None and parse_value(" ".join(str(value)[:HEADER_VALUE_LIMIT].split())).dmarc in _FAILING


def arc_instance(value: str) -> tuple[int | None, str]:
    """An ARC header's instance (its leading "i=N" tag) and the rest of its value."""
    text = " ".join(str(value)[:HEADER_VALUE_LIMIT].split())
    tag, _, rest = text.partition(";")
    tag = tag.replace(" ", "").lower()
    number = tag[2:] if tag.startswith("i=") else ""
    return (int(number) if number.isdigit() and len(number) < 4 else None), rest.strip()
