"""Our own check of who sent a mail: DKIM and ARC signatures verified with dkimpy.

The receiver's verdict is the first witness; this is the second, asked only when the receiver's
verdict does not already say "pass". A signature can only add evidence: one that does not verify
(a gateway changed the body after the border, the key was rotated, DNS did not answer) says
nothing, never "fail", and the receiver's verdict stands. Keys come from the lookup the caller
passes (the scanner's cached resolver), so this module does no I/O of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import dkim

from .auth import AuthResults, arc_instance, parse_value
from .domains import registrable

_MAX_SIGNATURES = 5  # genuine mail carries one to three; each costs a key lookup
_MIN_KEY_BITS = 1024
_LOOKUP_SECONDS = 3
# dkimpy reports every failed check at ERROR level; here a failure is an ordinary answer.
_QUIET = logging.getLogger("detect.signatures")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False

KeyLookup = Callable[..., bytes | None]


def aligned_signer(raw: bytes, from_domain: str, keys: KeyLookup) -> str | None:
    """The domain of a valid DKIM signature aligned with the From domain (relaxed alignment,
    RFC 7489: the same registrable domain), or None when no signature says so."""
    org = registrable(from_domain)
    if not org:
        return None
    checker = dkim.DKIM(raw, logger=_QUIET, minkey=_MIN_KEY_BITS, timeout=_LOOKUP_SECONDS)
    count = sum(1 for name, _ in checker.headers if name.lower() == b"dkim-signature")
    for index in range(min(count, _MAX_SIGNATURES)):
        try:
            valid = checker.verify(idx=index, dnsfunc=keys)
        except (dkim.DKIMException, ValueError, UnicodeError):
            continue  # a malformed signature: no evidence
        signer = (checker.domain or b"").decode("ascii", "replace").lower()
        if valid and registrable(signer) == org:
            return signer
    return None


def sealed_verdict(raw: bytes, owns: Callable[[str], bool], keys: KeyLookup) -> AuthResults | None:
    """The verdict in the newest ARC set, when the whole chain validates and that set was sealed by
    the mailbox's own organisation (owns(domain)): what it recorded when the mail entered it."""
    try:
        chain, results, _ = dkim.ARC(raw, logger=_QUIET, minkey=_MIN_KEY_BITS, timeout=_LOOKUP_SECONDS).verify(
            dnsfunc=keys
        )
    except (dkim.DKIMException, ValueError, UnicodeError, IndexError, KeyError):
        return None
    if chain != dkim.CV_Pass or not results:
        return None
    newest = results[0]
    sealer = bytes(newest.get("as-domain") or b"").decode("ascii", "replace").lower()
    if not owns(registrable(sealer)):
        return None
    value = _aar_value(raw, newest["instance"])
    return parse_value(value) if value else None


def _aar_value(raw: bytes, instance: int) -> str | None:
    """The ARC-Authentication-Results value of one instance, without its "i=N;" tag."""
    for name, value in dkim.DKIM(raw, logger=_QUIET).headers:
        if name.lower() == b"arc-authentication-results":
            number, rest = arc_instance(value.decode("utf-8", "replace"))
            if number == instance:
                return rest
    return None
