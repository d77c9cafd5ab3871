"""A list or group that relays Microsoft's mail under its own From is read as the original.

The header names and their order follow the real Google Groups relay in
tests/receivers/google_groups_1.txt (X-Original-From, Reply-To, List-Id, ARC i=N by gmr-mx.google.com);
the receiver's line, the addresses and the code are invented, and that dump's final receiver wrote
no verdict at all, so the arc=pass here is ours.
"""

from __future__ import annotations

from detect import detect
from tests.test_forwards import ORIGINAL

MICROSOFT = "Microsoft account team <account-security-noreply@accountprotection.microsoft.com>"


def relay(
    receiver_verdict: str,
    list_verdict: str = "dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=accountprotection.microsoft.com",
) -> bytes:
    return (
        "Received: from mail-sor-f69.google.com (mail-sor-f69.google.com [209.85.220.69])\r\n"
        "\tby mx.example.net (Postfix) with ESMTPS id 4F1A2B; Tue, 01 Dec 2026 08:00:02 +0100\r\n"
        f"{receiver_verdict}"
        "ARC-Seal: i=3; a=rsa-sha256; t=1764572400; cv=pass; d=google.com; s=arc-20240605; b=AAAA\r\n"
        f"ARC-Authentication-Results: i=3; gmr-mx.google.com;\r\n       dkim=pass header.i=@accountprotection.microsoft.com;\r\n       {list_verdict}\r\n"
        "ARC-Authentication-Results: i=1; mx.microsoft.com 1; spf=none; dmarc=none\r\n"
        "From: \"'Microsoft account team' via Family\" <family@googlegroups.com>\r\n"
        f"X-Original-From: {MICROSOFT}\r\nReply-To: {MICROSOFT}\r\n"
        "List-Id: <family.googlegroups.com>\r\nMailing-list: list family@googlegroups.com\r\n"
        "To: family@googlegroups.com\r\nSubject: Microsoft account security code\r\n"
        "Date: Tue, 01 Dec 2026 08:00:00 +0100\r\nMessage-ID: <list-1@example.invalid>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n" + ORIGINAL
    ).encode()


CHECKED = "Authentication-Results: mx.example.net; dkim=pass header.d=googlegroups.com; arc=pass (i=3); dmarc=pass header.from=googlegroups.com\r\n"


def test_a_groups_relay_of_a_microsoft_code_whose_chain_the_receiver_checked_is_a_code():
    finding = detect(relay(CHECKED))
    assert (finding.category, finding.sender_auth, finding.codes) == ("ms_code", "pass", ["305812"])
    assert "relayed by the list <family.googlegroups.com>" in finding.reasons


def test_a_relay_nobody_checked_is_unverified_not_phishing():
    unchecked = CHECKED.replace("arc=pass (i=3)", "arc=none")
    assert detect(relay(unchecked)).category == "unverified"
    assert detect(relay("")).category == "unverified"


def test_a_relay_whose_list_saw_dmarc_fail_is_phishing():
    failed = "dmarc=fail (p=REJECT) header.from=accountprotection.microsoft.com"
    assert detect(relay(CHECKED, list_verdict=failed)).category == "phishing"


def test_without_list_id_the_same_from_is_an_impostor():
    raw = relay(CHECKED).replace(
        b"List-Id: <family.googlegroups.com>\r\nMailing-list: list family@googlegroups.com\r\n", b""
    )
    assert detect(raw).category == "phishing"


def test_a_relay_sealed_by_anyone_but_a_known_list_operator_vouches_for_nothing():
    """Anyone can run a 'list' that seals a set claiming dmarc=pass: the receiver's arc=pass then
    proves only who sealed it, so a stranger's seal counts for nothing."""
    raw = relay(CHECKED).replace(b"d=google.com; s=arc-20240605", b"d=lists.example.net; s=arc-1")
    assert b"d=lists.example.net" in raw
    assert detect(raw).category == "unverified"
