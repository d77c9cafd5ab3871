"""Receiver layouts from real, public header dumps (tests/receivers/*.txt; each file's first lines
say where it was published and what it shows). For each, which verdict headers are the receiving
organisation's own: read from the dump by hand, not from the detector.

Received-SPF is listed as "Received-SPF"; Exchange Online's verdict without authserv-id as "(none)".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from detect import auth, message

DUMPS = Path(__file__).parent / "receivers"
RECEIVERS = {
    # Gmail: its verdict and Received-SPF under its border line; ARC i=1 from the sender side ignored.
    "gmail_1": ["Received-SPF", "mx.google.com"],
    # Fastmail: LMTP, 10.x and 127.0.0.1 hops and its Authentication Milter hop above the border.
    "fastmail_2": ["mx4.messagingengine.com", "Received-SPF"],
    # iCloud: a gateway named without a domain on top, then five one-check headers and X-*-Info lines.
    "icloud_1": [
        "bimi.icloud.com",
        "arc.icloud.com",
        "dmarc.icloud.com",
        "dkim-verifier.icloud.com",
        "spf.icloud.com",
        "Received-SPF",
    ],  # fmt: skip
    # Yahoo: verdicts above the SMTP hop recorded "by" an internal address.
    "yahoo_2": ["Received-SPF", "atlas-production.v2-mail-prod1-gq1.omega.yahoo.com"],
    "yahoo_3": ["Received-SPF", "atlas116.free.mail.bf1.yahoo.com"],
    # Proton: five headers above its one Received line (2023); the 2024 dump was published cut off
    # before its Received line, so only the top headers are evidence (as in a file saved by hand).
    "proton_1": ["mailin012.protonmail.ch"] * 5,
    "proton_2": ["mail.protonmail.ch"] * 5,
    # Zoho: Received-SPF and its verdict above Return-Path and its Received line.
    "zoho_1": ["Received-SPF", "mx.zohomail.com"],
    "zoho_2": ["Received-SPF", "mx.zohomail.com"],
    # Zoho again, below a Mailman relay that re-injects over 127.0.0.1 (the relay is the sender's side).
    "mailman_1": ["Received-SPF", "mx.zohomail.com"],
    # Exchange Online: no authserv-id, under its internal HTTPS / Frontend Transport hops.
    "outlook_2": ["(none)", "Received-SPF"],
    # Postfix with OpenDKIM and OpenDMARC: one header per check, DMARC-Filter lines between them; the
    # older mx.google.com verdict further down is an earlier hop's.
    "postfix_opendkim_1": ["mail.kernel.org"] * 3,
    # rspamd under a Dovecot LMTP hop.
    "rspamd_1": ["mail.lfdr.de"],
    # A list archive's mailbox (mail.lfdr.de wrote no verdict): the list's and GMX's own verdicts
    # further down are earlier hops', never the receiver's.
    "gmx_1": [],
    # Mimecast as the sender's outbound gateway: its submission result sits among the sender's headers.
    "mimecast_1": [],
    # Google Groups: only X-Original-Authentication-Results and ARC, which are not a receiver's verdict.
    "google_groups_1": [],
}
# The verdict on the From domain where the dump keeps a From line and the receiver decided.
VERDICTS = {"icloud_1": "pass", "rspamd_1": "pass", "postfix_opendkim_1": "fail"}


def headers(name: str) -> bytes:
    raw = (DUMPS / f"{name}.txt").read_bytes()
    lines = [line for line in raw.split(b"\n") if not line.startswith(b"# ")]
    return b"\n".join(lines).lstrip(b"\n")


def trusted(raw: bytes) -> list[str]:
    values = auth.trusted_values(message.parse(raw).items())
    return ["Received-SPF" if v.startswith("received-spf.invalid") else auth.authserv_id(v) or "(none)" for v in values]


def test_every_dump_says_where_it_came_from():
    files = sorted(path.stem for path in DUMPS.glob("*.txt"))
    assert files == sorted(RECEIVERS)
    for name in files:
        first, second = (DUMPS / f"{name}.txt").read_text().splitlines()[:2]
        assert first.startswith("# source: ") and second.startswith("# what: "), name


@pytest.mark.parametrize("name", sorted(RECEIVERS))
def test_the_receivers_own_verdicts_are_found(name):
    assert trusted(headers(name)) == RECEIVERS[name]


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_the_receivers_verdict_on_the_sender(name):
    msg = message.parse(headers(name))
    _, address = message.address(msg, "From")
    assert auth.verdict(auth.receiver_results(msg), message.domain_of(address)) == VERDICTS[name]


INTERNAL_HOPS = [
    b"Received: from localhost (localhost [127.0.0.1]) by imap.internal (Dovecot) with LMTP id x1; Mon, 1 Jun 2026 10:00:00 +0000\n",
    b"Received: from relay.internal (relay.internal [10.0.0.7]) by store.internal with ESMTP id x2; Mon, 1 Jun 2026 10:00:00 +0000\n",
]


@pytest.mark.parametrize("name", sorted(set(RECEIVERS) - {"proton_2"}))  # it has no Received line to sit above
def test_an_internal_hop_on_top_changes_nothing(name):
    """The shapes of Dovecot's LMTP delivery and a private relay, as in fastmail_2 and rspamd_1."""
    for hop in INTERNAL_HOPS:
        assert trusted(hop + headers(name)) == RECEIVERS[name]


def test_a_host_without_a_domain_is_inside_only_when_it_recorded_no_address():
    """iCloud's gateway line records no address; an internet-facing host named "mail" records the
    address it took the mail from, and a sender's HELO naming the host below changes nothing."""
    from detect.hops import find_border, parse_received

    below = parse_received("from sender.example (sender.example [198.51.100.9]) by mx.example.net")
    gateway = parse_received("from mx.example.net by p44-mailgateway-smtp-7784 (mailgateway 2403B92)")
    facing = parse_received("from mx.example.net (mx.example.net [203.0.113.5]) by mail with ESMTP")
    assert find_border([(0, gateway), (1, below)]) == (1, "example.net")
    assert find_border([(0, facing), (1, below)]) == (0, None)
