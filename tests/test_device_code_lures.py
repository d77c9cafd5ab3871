"""Device-code phishing: a mail asking for a code to be typed at Microsoft's device login page.

All wording here is invented, in the shape the 2025-2026 campaigns were reported to use (a shared
document, a Teams meeting, an IT notice); the codes are made up.
"""

from __future__ import annotations

import pytest

from detect import detect


def mail(
    body: str, sender: str = "Anna Weber <anna@partner.example>", subject: str = "Document shared with you"
) -> bytes:
    return (
        f"From: {sender}\r\nTo: marc@example.org\r\nSubject: {subject}\r\nMessage-ID: <dc-1@example.invalid>\r\n"
        f"Date: Mon, 07 Dec 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


@pytest.mark.parametrize(
    "body",
    [
        "To open the shared contract, go to https://microsoft.com/devicelogin and enter the code F8XQ2R3LK.",
        "Join the Teams meeting: visit aka.ms/devicelogin\r\nYour access code:\r\nHJ7K2LMNP",
        "IT notice: re-validate your mailbox. Code: 9QWERTY12 at https://login.microsoftonline.com/common/oauth2/deviceauth",
    ],
)
def test_a_mail_with_a_device_code_for_the_device_login_page_is_a_lure(body):
    finding = detect(mail(body))
    assert (finding.category, finding.template) == ("phishing", "device_code_lure")
    assert any("device-code phishing" in reason for reason in finding.reasons)


def test_whoever_sends_it():
    sender = "Microsoft <no-reply@microsoft.com>"
    finding = detect(mail("Enter B7C8D9E0F at https://microsoft.com/devicelogin to continue.", sender=sender))
    assert finding.template == "device_code_lure"


@pytest.mark.parametrize(
    "body",
    [
        # A warning that explains the trick names the page but carries no code.
        "Beware: attackers ask you to enter a code at microsoft.com/devicelogin. Never do it.",
        # A code-shaped word far away from the page.
        "Order REF12345X shipped.\r\n" + "Lorem ipsum dolor sit amet. " * 60 + "\r\nHelp: aka.ms/devicelogin",
        # Lower case and words are no device code.
        "See microsoft.com/devicelogin for details about printers and televisions.",
    ],
)
def test_a_mention_of_the_page_without_a_code_is_no_lure(body):
    assert detect(mail(body)).template != "device_code_lure"


def test_the_pre_filter_lets_a_lure_through_whatever_its_subject():
    from detect import worth_reading_many

    raw = mail("Join: aka.ms/devicelogin\r\nCode HJ7K2LMNP", subject="Quarterly planning")
    header, _, body = raw.partition(b"\r\n\r\n")
    assert worth_reading_many([header + b"\r\n\r\n"], [body]) == [True]
