"""The mailbox knows its receiver: its provider from the IMAP host, and the verdict writers it
learned from mail whose border was unambiguous, shown on the mailbox page.

The mail is the corpus's Gmail delivery of a genuine Microsoft code (tests/corpus, layout as in
Gmail's "Show original"); where a test changes its border line, it says how.
"""

from __future__ import annotations

import pytest

from detect import detect
from detect.receivers import Receiver, organisation_of_host
from mailboxes.models import Mailbox
from scanner.scanning import scan_mailbox
from tests.mailgen import CODE_MAIL, code_mail
from tests.people import sign_in

GMAIL_BORDER = b"by mx.google.com with ESMTPS id pml7hm03fh83.487.2026.05.11.17.47.15"
# The same line had Gmail recorded its host by address only (a change made here, as a receiver
# behind a load balancer may write it): nothing in the mail then names the receiver.
UNNAMED_BORDER = b"by [2607:f8b0:4864:20::b2f] with ESMTPS id pml7hm03fh83.487.2026.05.11.17.47.15"


def unnamed() -> bytes:
    raw = CODE_MAIL.read_bytes()
    assert GMAIL_BORDER in raw
    return raw.replace(GMAIL_BORDER, UNNAMED_BORDER)


def test_a_named_border_teaches_who_writes_the_verdicts():
    assert detect(CODE_MAIL.read_bytes()).verdict_writers == ["mx.google.com"]
    assert detect(unnamed()).verdict_writers == []  # nothing unambiguous to learn from


def test_an_unnamed_receiver_is_trusted_by_what_the_mailbox_knows():
    assert detect(unnamed()).category == "unverified"  # whose verdict is it? nobody can say
    learned = detect(unnamed(), receiver=Receiver(authserv_ids=frozenset({"mx.google.com"})))
    provider = detect(unnamed(), receiver=Receiver(organisation=organisation_of_host("imap.gmail.com")))
    assert (learned.category, learned.sender_auth) == ("ms_code", "pass")
    assert (provider.category, provider.sender_auth) == ("ms_code", "pass")


def test_a_learned_writer_is_trusted_only_in_the_receivers_own_run():
    """The same verdict written by the sender, under its own From line, is the sender's word."""
    raw = unnamed()
    start = raw.index(b"Authentication-Results: mx.google.com;")
    end = raw.index(b"ARC-Seal: i=1", start)
    verdict = raw[start:end]
    moved = raw[:start] + raw[end:]
    at = moved.index(b"\nFrom:") + 1
    moved = moved[:at] + verdict + moved[at:]
    finding = detect(moved, receiver=Receiver(authserv_ids=frozenset({"mx.google.com"})))
    assert finding.category == "unverified"


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("imap.gmail.com", "google.com"),
        ("outlook.office365.com", "outlook.com"),
        ("imap.fastmail.com", "messagingengine.com"),
        ("imap.mail.me.com", "icloud.com"),
        ("mail.example.org", "example.org"),
    ],
)
def test_a_mailbox_host_names_its_organisation(host, expected):
    assert expected in organisation_of_host(host)


def test_an_address_or_bare_name_names_no_organisation():
    for host in ("127.0.0.1", "[::1]", "2001:db8::1", "localhost", ""):
        assert organisation_of_host(host) == frozenset(), host


@pytest.mark.django_db
def test_a_scan_learns_the_writers_and_the_page_shows_them(dovecot, member, make_mailbox, client):
    dovecot.append([code_mail(1)])
    mailbox = make_mailbox(member)
    scan_mailbox(mailbox)
    mailbox.refresh_from_db()
    assert mailbox.trusted_verdict_writers() == ["mx.google.com"]
    assert mailbox.receiver().authserv_ids == frozenset({"mx.google.com"})

    sign_in(client, member)
    page = client.get("/mailboxes/").content.decode()
    assert "Verdicts trusted from: mx.google.com" in page


@pytest.mark.django_db
def test_writers_learned_for_one_host_are_forgotten_when_the_host_changes(member):
    mailbox = Mailbox(owner=member, label="work", host="imap.example.org", username="alice")
    mailbox.set_secret("x")
    mailbox.save()
    mailbox.learn_verdict_writers(["mx.example.org"])
    mailbox.refresh_from_db()
    assert mailbox.trusted_verdict_writers() == ["mx.example.org"]
    mailbox.host = "imap.other.example"
    assert mailbox.trusted_verdict_writers() == []
