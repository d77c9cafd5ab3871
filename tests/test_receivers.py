"""Sender authentication as each kind of receiving server records it (../shared/docs/receiving-servers.md),
judged by RFC 8601's rule rather than by a table of layouts: the receiving organisation's AR headers
count, merged; AR headers the sender wrote do not.

The header values follow the documented layouts (shortened); the Received lines are written in
each server's usual shape. Host names, addresses and the code are invented.
"""

from __future__ import annotations

import pytest

from detect import detect

MS = "accountprotection.microsoft.com"
BODY = (
    f"From: Microsoft account team <account-security-noreply@{MS}>\r\n"
    "To: alice@example.net\r\nSubject: Microsoft account security code\r\n"
    "Date: Tue, 01 Dec 2026 10:00:00 +0000\r\nMessage-ID: <receivers-1@example.invalid>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "Please use the following security code for the Microsoft account al*****@example.net.\r\n\r\n"
    "Security code: 482913\r\n"
)
# The hop inside Microsoft before the mail left it (the sender's side: below every border).
SENDER_SIDE = "Received: from BN8PR04MB6211.namprd04.prod.outlook.com (2603:10b6:408:c0::11) by DM6PR11MB4073.namprd11.prod.outlook.com (2603:10b6:5:19a::14) with Microsoft SMTP Server; Tue, 1 Dec 2026 10:00:00 +0000\r\n"
FROM_MICROSOFT = "mail-dm6nam12on2079.outbound.protection.outlook.com (mail-dm6nam12on2079.outbound.protection.outlook.com. [40.107.243.79])"
PASS = f"dkim=pass header.i=@{MS} header.s=selector1; spf=pass smtp.mailfrom=account-security-noreply@{MS}; dmarc=pass (p=REJECT) header.from={MS}"
FAIL = f"dkim=none; spf=fail smtp.mailfrom=account-security-noreply@{MS}; dmarc=fail (p=REJECT) header.from={MS}"


def gmail(verdict: str) -> str:
    return (
        "Delivered-To: alice@example.net\r\n"
        "Received: by 2002:a05:6a10:1234::1 with SMTP id x1; Tue, 1 Dec 2026 10:00:02 -0800\r\n"
        f"Received: from {FROM_MICROSOFT} by mx.google.com with ESMTPS id t0; Tue, 1 Dec 2026 10:00:01 -0800\r\n"
        "Received-SPF: pass (google.com: domain designates 40.107.243.79 as permitted sender) client-ip=40.107.243.79;\r\n"
        f"Authentication-Results: mx.google.com; {verdict}\r\n"
    )


def exchange_online(verdict: str) -> str:
    compauth = "compauth=pass reason=100" if "dmarc=pass" in verdict else "compauth=fail reason=000"
    return (
        "Received: from SN6PR01MB1234.prod.outlook.com (2603:10b6:805:1::1) by SN6PR01MB5678.prod.outlook.com (2603:10b6:805:2::2) with HTTPS; Tue, 1 Dec 2026 10:00:03 +0000\r\n"
        f"Authentication-Results: {verdict.replace('; ', ';')};{compauth}\r\n"
        "Received: from BN8NAM11FT039.eop-nam11.prod.protection.outlook.com (2603:10b6:408:e1::4) by SN6PR01MB1234.prod.outlook.com (2603:10b6:805:1::1) with Microsoft SMTP Server; Tue, 1 Dec 2026 10:00:02 +0000\r\n"
        "Received: from mail-x.accountprotection.microsoft.com (52.234.111.146) by BN8NAM11FT039.mail.protection.outlook.com (10.13.177.77) with Microsoft SMTP Server; Tue, 1 Dec 2026 10:00:01 +0000\r\n"
    )


def one_header_per_check(host_for, verdict: str, above: bool) -> str:
    """Fastmail, iCloud, Proton: one AR header per check, above or right under the border line."""
    checks = [check.strip() for check in verdict.split(";")]
    ars = "".join(f"Authentication-Results: {host_for(check)}; {check}\r\n" for check in checks)
    border = f"Received: from {FROM_MICROSOFT} by mx6.messagingengine.com (Postfix) with ESMTPS id 1; Tue, 1 Dec 2026 10:00:01 +0000\r\n"
    return (ars + border) if above else (border + ars)


def fastmail(verdict: str, above: bool = True) -> str:
    return one_header_per_check(lambda check: "phl-mx-02.messagingengine.com", verdict, above)


def icloud(verdict: str) -> str:
    names = {"dkim": "dkim-verifier.icloud.com", "spf": "spf.icloud.com", "dmarc": "dmarc.icloud.com"}
    checks = [check.strip() for check in verdict.split(";")]
    ars = "".join(f"Authentication-Results: {names[c.split('=')[0]]}; {c}\r\n" for c in checks)
    return ars + (
        f"Received: from {FROM_MICROSOFT} by p00-icloudmta-asmtp-us-west-1b-10-percent-2.k8s.cloud.apple.com (Postfix) with ESMTPS id 2; Tue, 1 Dec 2026 10:00:01 +0000\r\n"
    )


def yahoo(verdict: str) -> str:
    return (
        "Received: from 127.0.0.1 by atlas-production.v2.mta.mail.bf1.yahoo.com with HTTP; Tue, 1 Dec 2026 10:00:02 +0000\r\n"
        f"Authentication-Results: atlas-production.v2.mta.mail.bf1.yahoo.com; {verdict};\r\n"
        f"Received: from {FROM_MICROSOFT} by atlas-production.v2.mta.mail.bf1.yahoo.com with SMTP; Tue, 1 Dec 2026 10:00:01 +0000\r\n"
    )


def postfix_milters(verdict: str) -> str:
    """OpenDKIM and OpenDMARC each write a header under Postfix's own line; SPF as Received-SPF."""
    parts = dict(check.strip().split("=", 1) for check in verdict.split(";"))
    spf = parts["spf"].split()[0].capitalize()
    return (
        f"Received: from {FROM_MICROSOFT} by mail.example.net (Postfix) with ESMTPS id 3; Tue, 1 Dec 2026 10:00:01 +0000\r\n"
        f"Authentication-Results: mail.example.net; dkim={parts['dkim']}\r\n"
        f"Authentication-Results: mail.example.net; dmarc={parts['dmarc']}\r\n"
        f"Received-SPF: {spf} (mailfrom) identity=mailfrom; client-ip=40.107.243.79; helo=x; envelope-from=<account-security-noreply@{MS}>; receiver=<UNKNOWN>\r\n"
    )


LAYOUTS = {
    "gmail": gmail,
    "exchange_online": exchange_online,
    "fastmail_above": lambda v: fastmail(v, above=True),
    "fastmail_below": lambda v: fastmail(v, above=False),
    "icloud": icloud,
    "yahoo": yahoo,
    "postfix_milters": postfix_milters,
}


def mail(receiver_headers: str) -> bytes:
    return (receiver_headers + SENDER_SIDE + BODY).encode()


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_genuine_code_passes_at_every_receiver(layout):
    finding = detect(mail(LAYOUTS[layout](PASS)))
    assert (finding.category, finding.sender_auth, finding.codes) == ("ms_code", "pass", ["482913"])


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_spoof_fails_at_every_receiver(layout):
    finding = detect(mail(LAYOUTS[layout](FAIL)))
    assert (finding.category, finding.sender_auth) == ("phishing", "fail")


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_pass_forged_by_the_sender_under_the_receivers_verdict_is_ignored(layout):
    forged = f"Authentication-Results: example.com; {PASS}\r\n"
    finding = detect(mail(LAYOUTS[layout](FAIL) + forged))
    assert (finding.category, finding.sender_auth) == ("phishing", "fail")


def test_a_pass_the_sender_wrote_counts_for_nothing_where_the_receiver_writes_none():
    border = "Received: from attacker.example (attacker.example [198.51.100.7]) by mail.example.net (Postfix) with ESMTP id 4; Tue, 1 Dec 2026 10:00:01 +0000\r\n"
    for forged in (
        f"Authentication-Results: example.com; {PASS}\r\n",
        f"Authentication-Results: mx.google.com; {PASS}\r\n",
    ):
        finding = detect(mail(border + forged))
        assert finding.sender_auth == "unknown", forged
        assert finding.category != "ms_code" or finding.sender_auth != "pass"


def test_the_border_is_the_hop_from_another_organisation_whatever_the_helo_says():
    from detect.hops import find_border, parse_received

    def is_border(value: str) -> bool:
        return find_border([(0, parse_received(value))]) is not None

    # The HELO name is the sender's choice; the reverse-DNS name (or its absence) is the receiver's.
    assert is_border("from mail.example.net (unknown [198.51.100.7]) by mail.example.net (Postfix)")
    assert is_border("from mail.example.net (attacker.example [198.51.100.7]) by mail.example.net")
    assert is_border(f"from {FROM_MICROSOFT} by mx.google.com with ESMTPS")
    # Inside one organisation (Exchange Online's own hops name only an address beside the HELO).
    assert not is_border(
        "from DM6PR11MB4073.namprd11.prod.outlook.com (2603:10b6:5:19a::14) by "
        "SN6PR01MB5678.prod.outlook.com (2603:10b6:805:2::2)"
    )
    assert not is_border("by 2002:a05:6a10:1234::1 with SMTP id x1")
    assert not is_border("from relay.example.net (relay.example.net [10.0.0.5]) by mail.example.net")


def test_below_the_border_only_the_receivers_own_run_of_verdicts_counts():
    border = "Received: from mail.example.net (unknown [198.51.100.7]) by mail.example.net (Postfix) with ESMTP id 5; Tue, 1 Dec 2026 10:00:01 +0000\r\n"
    finding = detect(mail(border + "X-Mailer: x\r\n" + f"Authentication-Results: mail.example.net; {PASS}\r\n"))
    assert finding.sender_auth == "unknown"


def test_no_receiver_verdict_is_unknown_never_phishing_for_that_alone_nor_a_genuine_code():
    border = f"Received: from {FROM_MICROSOFT} by mail.example.net (Postfix) with ESMTPS id 6; Tue, 1 Dec 2026 10:00:01 +0000\r\n"
    microsoft_own = "ARC-Authentication-Results: i=1; mx.microsoft.com 1; spf=none; dmarc=none\r\nX-MS-Exchange-Authentication-Results: spf=none; dkim=none\r\n"
    finding = detect(mail(border + microsoft_own))
    assert (finding.category, finding.sender_auth, finding.codes) == ("unverified", "unknown", ["482913"])


# Invented wording in the shape of a OneDrive sharing notice.
ONEDRIVE = (
    "From: Microsoft OneDrive <no-reply@email.onedrive.com>\r\nTo: alice@example.net\r\n"
    "Subject: Peter shared a folder with you\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\n"
    "Message-ID: <onedrive-1@example.invalid>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "Peter shared the folder Holiday with you. Open it with your Microsoft account.\r\n"
    "Unusual sign-in activity? Learn how OneDrive keeps your files safe.\r\n"
)


def _onedrive(verdict: str) -> bytes:
    verdict = verdict.replace(MS, "email.onedrive.com")
    return (gmail(verdict) + SENDER_SIDE + ONEDRIVE).encode()


def test_microsofts_other_domains_are_ordinary_microsoft_mail_not_impostors():
    finding = detect(_onedrive(PASS))
    assert (finding.category, finding.sender_auth) == ("none", "pass")


def test_a_onedrive_sender_that_fails_authentication_is_still_phishing():
    finding = detect(_onedrive(FAIL))
    assert (finding.category, finding.sender_auth) == ("phishing", "fail")


def test_a_personal_outlook_address_is_not_microsofts_voice():
    body = BODY.replace(f"account-security-noreply@{MS}", "microsoft.account.team@outlook.com")
    verdict = PASS.replace(MS, "outlook.com")
    finding = detect((gmail(verdict) + SENDER_SIDE + body).encode())
    assert finding.category == "phishing"


# Values as some receivers really write them (receiving-servers.md: Yahoo's "pass(p=REJECT)";
# header.from as a whole address); the rest of each header is invented.
@pytest.mark.parametrize(
    "dmarc",
    [
        f"dmarc=pass(p=reject dis=none) header.from={MS}",
        f"dmarc=pass (p=REJECT) header.from=<account-security-noreply@{MS}>",
        f"dmarc=pass header.from=account-security-noreply@{MS}",
    ],
)
def test_a_pass_written_oddly_is_still_a_pass(dmarc):
    assert detect(mail(gmail(f"dkim=none; {dmarc}"))).sender_auth == "pass"


def test_an_unreadable_header_from_is_never_read_as_a_mismatch():
    assert detect(mail(gmail('dmarc=pass header.from="(not a domain)"'))).sender_auth == "pass"
    assert detect(mail(gmail("dmarc=pass header.from=other.example"))).sender_auth == "fail"


def test_microsofts_trusted_arc_override_of_a_dmarc_failure_is_a_pass():
    """compauth=pass reason=130: Exchange Online accepted a DMARC failure because a sealer it trusts
    vouched for the mail before a list or forwarder changed it."""
    verdict = f"spf=fail smtp.mailfrom={MS}; dkim=fail header.d={MS}; dmarc=fail action=oreject header.from={MS}"
    overridden = exchange_online(verdict).replace("compauth=fail reason=000", "compauth=pass reason=130")
    assert detect(mail(overridden)).sender_auth == "pass"
    assert detect(mail(exchange_online(verdict))).sender_auth == "fail"
    other_reason = exchange_online(verdict).replace("compauth=fail reason=000", "compauth=pass reason=109")
    assert detect(mail(other_reason)).sender_auth == "fail"


def test_a_receiver_that_names_itself_nowhere_is_not_named_by_the_sender():
    """The receiver's hops name only addresses ("by 10.x"): its name must not be taken from a
    Received line the sender wrote under the border, with a verdict to match right below it."""
    top = "Received: from 127.0.0.1 by 10.20.30.40 with HTTP; Tue, 1 Dec 2026 10:00:03 +0000\r\n"
    border = (
        "Received: from 203.0.113.9 (EHLO sender.example) by 10.20.30.41 with SMTP; Tue, 1 Dec 2026 10:00:02 +0000\r\n"
    )
    forged = (
        f"Authentication-Results: mx.forger.example; {PASS}\r\n"
        "Received: from a.forger.example (a.forger.example [203.0.113.10]) by mx.forger.example; Tue, 1 Dec 2026 10:00:01 +0000\r\n"
    )
    assert detect(mail(top + border + forged)).sender_auth == "unknown"
