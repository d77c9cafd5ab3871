"""The receiver's border, whatever its own hops look like: for every message of both corpora,
hops inside the receiving organisation added above everything (loopback, private, link-local and
shared addresses, inside names, LMTP, no sender at all), or the receiver's own neutral headers
added right under the border's Received line, never change who the detector says sent it.

The hop and header shapes are INVENTED from the general forms in receiving-servers.md (Dovecot and
Cyrus LMTP, Postfix behind a proxy, a NAS relay). The receiver layouts they are added to are the
corpora's; tests from real, public header dumps per receiver are still to be written (issue 23).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detect import detect
from detect.hops import find_border, parse_received
from tests.corpus_labels import load_cases, load_second_corpus

DATE = "Tue, 1 Dec 2026 10:00:09 +0000"
INTERNAL_HOPS = (
    "Received: from localhost (localhost [127.0.0.1]){eol}\tby imap.{org} (Dovecot) with LMTP id 7Yk2; {date}",
    "Received: from mx2.{org} ([10.202.2.170]){eol}  by store4.internal (LMTPProxy); {date}",
    "Received: from mail.{org} (mail.{org} [192.168.10.5]){eol}\tby nas.lan (Postfix) with ESMTP id 4F1E2; {date}",
    "Received: from relay (relay [fd00::25]){eol}\tby backend.local (Postfix) with ESMTPS id 9A; {date}",
    "Received: from gw.{org} (gw.{org} [100.64.3.9]) by spool.{org} with ESMTP id q1; {date}",
    "Received: from [169.254.0.7] by cache.{org} with SMTP; {date}",
    "Received: by 2002:a05:6a10:9f07:b0:5d2:1e4:2a1c with SMTP id q7csp12345; {date}",
)
NEUTRAL = (
    "Return-Path: <bounce@{org}>",
    "X-Originating-Ip: [198.51.100.4]",
    "DKIM-Filter: OpenDKIM Filter v2.11.0 mail.{org} 4F1E2",
    "OpenDMARC-Filter: OpenDMARC Filter v1.4.2 mail.{org} 4F1E2",
    "X-Spam-Status: No, score=-0.1 required=5.0",
    "X-Virus-Scanned: amavisd-new at {org}",
    "Delivered-To: alice@{org}",
    "X-Apparently-To: alice@{org}; Tue, 01 Dec 2026 10:00:09 +0000",
)
CASES = [case for case in load_cases() + load_second_corpus() if b"received:" in case.raw().lower()]


def _fields(raw: bytes) -> tuple[list[bytes], bytes, bytes]:
    """The header's fields (each with its folded lines), the line ending, and the rest."""
    eol = b"\r\n" if b"\r\n" in raw[:4096] else b"\n"
    head, sep, body = raw.partition(eol + eol)
    fields: list[bytes] = []
    for line in head.split(eol):
        if fields and line[:1] in (b" ", b"\t"):
            fields[-1] += eol + line
        else:
            fields.append(line)
    return fields, eol, sep + body


def _border(fields: list[bytes]) -> tuple[int | None, str]:
    hops = []
    for index, field in enumerate(fields):
        name, _, value = field.partition(b":")
        if name.strip().lower() == b"received":
            hops.append((index, parse_received(" ".join(value.decode("latin-1").split()))))
    border = find_border(hops)
    if border is not None and border[1]:
        return border
    # No hop from outside (mail within one provider): its own hops carry that provider's name.
    named = next((hop.by_org for _, hop in hops if hop.by_org), None)
    return (border[0] if border else None), named or "example.net"


def _verdict(raw: bytes) -> tuple[str, str]:
    finding = detect(raw)
    return finding.sender_auth, finding.category


def _render(template: str, org: str, eol: bytes) -> bytes:
    return template.format(org=org, date=DATE, eol=eol.decode()).encode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(CASES), hops=st.lists(st.sampled_from(INTERNAL_HOPS), min_size=1, max_size=4))
def test_internal_hops_above_the_border_change_nothing(case, hops):
    raw = case.raw()
    fields, eol, rest = _fields(raw)
    _, org = _border(fields)
    added = [_render(hop, org, eol) for hop in hops]
    assert _verdict(eol.join(added + fields) + rest) == _verdict(raw), case.file


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(CASES), extra=st.lists(st.sampled_from(NEUTRAL), min_size=1, max_size=4))
def test_neutral_headers_under_the_border_change_nothing(case, extra):
    raw = case.raw()
    fields, eol, rest = _fields(raw)
    border, org = _border(fields)
    if border is None:
        border = 0
    added = [_render(header, org, eol) for header in extra]
    changed = fields[: border + 1] + added + fields[border + 1 :]
    assert _verdict(eol.join(changed) + rest) == _verdict(raw), case.file


def test_the_properties_run_over_both_corpora_and_their_receivers():
    """The sample covers what it claims: both corpora, and borders found in most of them."""
    roots = {case.root.name for case in CASES}
    assert roots == {"corpus", "corpus2"}
    found = sum(_border(_fields(case.raw())[0])[0] is not None for case in CASES)
    assert found > len(CASES) * 0.8
    assert re.search(r"with LMTP", INTERNAL_HOPS[0])


VERDICT_FIELDS = (b"authentication-results", b"received-spf")


@pytest.mark.parametrize("case", [c for c in CASES if c.category == "ms_code"], ids=lambda c: c.file)
def test_without_the_receivers_verdict_no_mail_is_a_genuine_code(case):
    """Strip every verdict the receiver wrote: what is left is anyone's claim. A forward stays a
    code (the person who passed it on vouches for it, and it is marked forwarded); nothing else does."""
    fields, eol, rest = _fields(case.raw())
    kept = [field for field in fields if field.partition(b":")[0].strip().lower() not in VERDICT_FIELDS]
    finding = detect(eol.join(kept) + rest)
    assert finding.category != "ms_code" or finding.forwarded, case.file
