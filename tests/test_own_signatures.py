"""OTP Dash's own DKIM and ARC checks, against a real DNS server (dnsmasq) serving keys made here.

The mails are a genuine Microsoft code mail from the corpus, re-signed in the test with dkimpy
under a key only the test's DNS server publishes (Microsoft's own keys sign nothing here), and
delivered by a self-hosted receiver that wrote no verdict: the case where only our own check can
vouch for the sender.
"""

from __future__ import annotations

import email
from contextlib import contextmanager

import dkim
import pytest

from detect import detect
from detect.receivers import Receiver
from mailboxes.models import Mailbox
from scanner.keys import KeyCache, dkim_keys, resolver_for
from scanner.models import Finding, FolderCursor
from scanner.scanning import scan_mailbox
from tests.dns_server import MISSING, DnsServer, SigningKey, dnsmasq_binary
from tests.mailgen import CODE_MAIL, CODE_MAIL_CODE

MICROSOFT = "accountprotection.microsoft.com"
SELECTOR = "otpdash-test"
# The receiver's own line, as a self-hosted Postfix writes it (invented host names, public address).
RECEIVED = (
    b"Received: from mail-co1nam11on2088.outbound.protection.outlook.com "
    b"(mail-co1nam11on2088.outbound.protection.outlook.com [40.107.220.88])\r\n"
    b"\tby mx.example.net (Postfix) with ESMTPS id 4F1A2B3C4D\r\n"
    b"\tfor <anna.weber@example.net>; Mon, 11 May 2026 17:47:15 -0700 (PDT)\r\n"
)
_KEEP = ("from", "to", "subject", "date", "message-id", "mime-version", "content-type", "content-transfer-encoding")


def original() -> bytes:
    """The corpus mail as Microsoft's outbound server handed it over: its own headers, no receiver's."""
    raw = CODE_MAIL.read_bytes()
    head, _, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    msg = email.message_from_bytes(head + b"\r\n\r\n")
    kept = b"".join(
        f"{name}: {' '.join(str(value).split())}\r\n".encode() for name, value in msg.items() if name.lower() in _KEEP
    )
    return kept + b"\r\n" + body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def signed(key: SigningKey, domain: str = MICROSOFT, message: bytes | None = None) -> bytes:
    message = message or original()
    signature = dkim.sign(message, SELECTOR.encode(), domain.encode(), key.private_pem,
                          include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])  # fmt: skip
    return signature + message


def delivered(message: bytes, above: bytes = b"") -> bytes:
    return above + RECEIVED + message


@contextmanager
def keys_served(name: str, record: str):
    """A DNS server of its own serving one key record, and a key cache that asks it."""
    if dnsmasq_binary() is None:
        pytest.fail(MISSING, pytrace=False)
    server = DnsServer({name: record}).start()
    try:
        yield KeyCache(resolver_for(server.resolvers))
    finally:
        server.destroy()


@pytest.fixture
def key():
    return SigningKey()


@pytest.fixture
def dns_server(key):
    if dnsmasq_binary() is None:
        pytest.fail(MISSING, pytrace=False)
    server = DnsServer({f"{SELECTOR}._domainkey.{MICROSOFT}": key.record}).start()
    yield server
    server.destroy()


@pytest.fixture
def keys(dns_server):
    return KeyCache(resolver_for(dns_server.resolvers))


def test_the_dns_server_serves_the_key_as_dkim_reads_it(dns_server, key, keys):
    record = keys(f"{SELECTOR}._domainkey.{MICROSOFT}.".encode())
    assert record is not None and record.decode() == key.record  # long keys come back whole
    assert keys(b"missing._domainkey.example.org.") is None


def test_a_valid_microsoft_signature_vouches_where_the_receiver_wrote_nothing(keys, key):
    mail = delivered(signed(key))
    assert detect(mail).category == "unverified"  # without our own check nobody vouched

    finding = detect(mail, receiver=Receiver(keys=keys))

    assert (finding.category, finding.sender_auth, finding.codes) == ("ms_code", "pass", [CODE_MAIL_CODE])
    assert any(f"DKIM signature by {MICROSOFT}, checked by OTP Dash" in reason for reason in finding.reasons)


def test_a_valid_signature_outweighs_a_receiver_that_said_dmarc_fail(keys, key):
    verdict = b"Authentication-Results: mx.example.net; dmarc=fail header.from=accountprotection.microsoft.com\r\n"
    finding = detect(delivered(signed(key), above=verdict), receiver=Receiver(keys=keys))
    assert (finding.category, finding.sender_auth) == ("ms_code", "pass")


def test_a_body_changed_after_signing_is_no_evidence_never_a_failure(keys, key):
    genuine = delivered(signed(key))
    mail = genuine.replace(CODE_MAIL_CODE.encode(), b"135791")
    assert mail != genuine
    finding = detect(mail, receiver=Receiver(keys=keys))
    assert (finding.category, finding.sender_auth) == ("unverified", "unknown")


def test_a_rotated_key_or_an_unreachable_server_is_unknown(dns_server, key):
    with keys_served(f"{SELECTOR}._domainkey.{MICROSOFT}", SigningKey().record) as rotated:
        finding = detect(delivered(signed(key)), receiver=Receiver(keys=rotated))
    assert (finding.category, finding.sender_auth) == ("unverified", "unknown")
    gone = KeyCache(resolver_for(dns_server.resolvers))
    dns_server.stop()
    finding = detect(delivered(signed(key)), receiver=Receiver(keys=gone))
    assert (finding.category, finding.sender_auth) == ("unverified", "unknown")


def test_a_signature_not_aligned_with_from_vouches_for_nothing(key):
    """A valid signature by the attacker's own domain on mail whose From says Microsoft."""
    with keys_served(f"{SELECTOR}._domainkey.mailer.example.org", key.record) as keys:
        finding = detect(delivered(signed(key, domain="mailer.example.org")), receiver=Receiver(keys=keys))
    assert finding.sender_auth != "pass" and finding.category not in ("ms_code", "ms_alert")


def test_a_lookalike_domain_validly_signed_by_itself_is_still_a_lookalike(key):
    lookalike = "accountprotection-microsoft.example.com"
    message = original().replace(f"@{MICROSOFT}".encode(), f"@{lookalike}".encode())
    with keys_served(f"{SELECTOR}._domainkey.{lookalike}", key.record) as keys:
        finding = detect(delivered(signed(key, domain=lookalike, message=message)), receiver=Receiver(keys=keys))
    assert finding.category == "phishing"


# --- ARC: a set sealed by the mailbox's own organisation is that organisation's verdict ---

SEAL_SELECTOR = "arc-test"


def arc_sealed(key: SigningKey, sealer: str, verdict: bytes) -> bytes:
    """The original as the receiver sealed it: its verdict in an Authentication-Results header, an
    ARC set over it (dkimpy), then that header dropped, as a later internal step may do."""
    message = RECEIVED + b"Authentication-Results: " + sealer.encode() + b"; " + verdict + b"\r\n" + original()
    arc = b"".join(dkim.arc_sign(message, SEAL_SELECTOR.encode(), sealer.encode(), key.private_pem, sealer.encode()))
    sealed = arc + message
    return sealed.replace(b"Authentication-Results: " + sealer.encode(), b"X-Old-Results: " + sealer.encode(), 1)


def test_an_arc_set_sealed_by_the_mailboxes_own_organisation_is_its_verdict(key):
    verdict = (
        b"dkim=pass header.d=accountprotection.microsoft.com; dmarc=pass header.from=accountprotection.microsoft.com"
    )
    mail = arc_sealed(key, "example.net", verdict)
    with keys_served(f"{SEAL_SELECTOR}._domainkey.example.net", key.record) as keys:
        own = detect(mail, receiver=Receiver(organisation=frozenset({"example.net"}), keys=keys))
        stranger = detect(mail, receiver=Receiver(organisation=frozenset({"example.com"}), keys=keys))
    assert (own.category, own.sender_auth) == ("ms_code", "pass")
    assert any("ARC seal" in reason for reason in own.reasons)
    assert (stranger.category, stranger.sender_auth) == ("unverified", "unknown")


def test_an_arc_set_whose_own_verdict_failed_vouches_for_nothing(key):
    verdict = (
        b"dkim=fail header.d=accountprotection.microsoft.com; dmarc=fail header.from=accountprotection.microsoft.com"
    )
    with keys_served(f"{SEAL_SELECTOR}._domainkey.example.net", key.record) as keys:
        finding = detect(arc_sealed(key, "example.net", verdict),
                         receiver=Receiver(organisation=frozenset({"example.net"}), keys=keys))  # fmt: skip
    assert finding.category != "ms_code" and finding.sender_auth != "pass"


# --- the scanner asks the configured resolvers ---


@pytest.mark.django_db
def test_a_scan_checks_signatures_with_the_configured_resolvers(
    dovecot, member, make_mailbox, dns_server, key, settings
):
    dovecot.append([delivered(signed(key))])
    mailbox = make_mailbox(member)

    settings.DNS_RESOLVERS = "off"
    assert dkim_keys() is None
    scan_mailbox(mailbox)
    assert list(Finding.objects.values_list("category", flat=True)) == ["unverified"]

    Finding.objects.all().delete()
    FolderCursor.objects.all().delete()  # read the folder again from the start
    settings.DNS_RESOLVERS = dns_server.resolvers
    scan_mailbox(Mailbox.objects.get(pk=mailbox.pk))
    assert list(Finding.objects.values_list("category", "sender_auth")) == [("ms_code", "pass")]


def test_a_key_is_asked_for_once_and_a_missing_one_is_not_asked_again_at_once(dns_server, key, keys):
    name = f"{SELECTOR}._domainkey.{MICROSOFT}.".encode()
    assert keys(name) is not None and keys(b"nothing._domainkey.example.org.") is None
    dns_server.stop()
    assert keys(name) is not None  # from the cache: the server is gone
    assert keys(b"nothing._domainkey.example.org.") is None
