"""Microsoft's wording quoted in a conversation is not impersonation unless the sender claims
Microsoft. Names, addresses, codes and ticket wording are invented; the quoted text is the
security-code template as tests/test_forwards.py writes it."""

from __future__ import annotations

import pytest

from detect import detect
from tests.test_forwards import ORIGINAL, from_family

TICKET = (
    "Hi Peter, thanks for your ticket. You received this mail:\r\n\r\n"
    + ORIGINAL
    + "\r\nIt is genuine; do not enter the code anywhere.\r\n"
)


@pytest.mark.parametrize(
    ("subject", "headers"),
    [
        ("Re: [Ticket #4411] strange code mail", "In-Reply-To: <t-4411@helpdesk.example>\r\n"),
        ("Warning: codes are going round", "List-Id: Family news <family.lists.example>\r\n"),
    ],
)
def test_a_reply_or_a_lists_warning_quoting_microsoft_is_no_impostor(subject, headers):
    finding = detect(from_family(subject, TICKET, extra_headers=headers))
    assert finding.category == "none", finding.reasons


def test_a_note_to_oneself_quoting_microsoft_is_no_impostor():
    raw = from_family("for later", TICKET).replace(b"To: alice@example.net", b"To: peter@weber-family.example")
    assert detect(raw).category == "none"


def test_a_conversation_from_a_sender_claiming_microsoft_is_still_phishing():
    raw = from_family("Re: your account", TICKET, extra_headers="In-Reply-To: <x@example.invalid>\r\n")
    assert detect(raw.replace(b"Peter Weber", b"Microsoft Support")).category == "phishing"


def test_a_conversation_with_another_tell_is_still_phishing():
    body = TICKET + "Verify here: https://ms-verify.example.net/login\r\n"
    raw = from_family("Re: your account", body, extra_headers="In-Reply-To: <x@example.invalid>\r\n")
    assert detect(raw).category == "phishing"


def test_the_same_wording_outside_a_conversation_is_still_impersonation():
    assert (
        detect(from_family("Account notice", ORIGINAL).replace(b"Peter Weber", b"Account Desk")).category == "phishing"
    )
