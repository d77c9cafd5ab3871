"""Lures sent through Microsoft's own services: the genuine sender carries text an attacker wrote.

Wording invented in the shape reported for 2025-2026 callback campaigns (a SharePoint share whose
title is the lure, a Teams notice from a tenant named after a charge, an invitation); the receiver's
verdict is Exchange Online's layout, as in the corpus.
"""

from __future__ import annotations

import pytest

from detect import detect

VERDICT = "Authentication-Results: spf=pass smtp.mailfrom={domain}; dkim=pass header.d={domain}; dmarc=pass action=none header.from={domain};compauth=pass reason=100"


def mail(display: str, address: str, subject: str, body: str = "Open the item to see it.") -> bytes:
    domain = address.rpartition("@")[2]
    return (
        f"Received: from mail.example.org (mail.example.org [203.0.113.7]) by AM0PR01.eurprd01.prod.outlook.com with ESMTPS; Mon, 7 Dec 2026 10:00:00 +0000\r\n"
        f"{VERDICT.format(domain=domain)}\r\n"
        f"From: {display} <{address}>\r\nTo: marc@example.org\r\nSubject: {subject}\r\n"
        f"Message-ID: <svc-1@example.invalid>\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("display", "address", "subject"),
    [
        ("Billing Dept via SharePoint", "no-reply@sharepointonline.com",
         "Billing Dept shared 'Invoice 389,99 EUR - call +1 555 010 4477 to cancel' with you"),
        ("Microsoft Teams", "noreply@email.teams.microsoft.com",
         "Refund Desk +44 20 7946 0958 sent you a message: your payment of $499.00 was charged"),
        ("Geek Support Payment Team 1-555-010-4477 via Microsoft", "invites@microsoft.com",
         "You're invited to the Geek Support Payment Team 1-555-010-4477 organization"),
    ],
)  # fmt: skip
def test_a_callback_lure_in_a_name_or_title_of_microsofts_own_mail_is_phishing(display, address, subject):
    finding = detect(mail(display, address, subject))
    assert finding.category == "phishing"
    assert any("genuine Microsoft sender abused" in reason for reason in finding.reasons)


@pytest.mark.parametrize(
    ("display", "address", "subject"),
    [
        ("Anna Weber via SharePoint", "no-reply@sharepointonline.com", "Anna Weber shared 'Order list Q3 2026' with you"),
        ("Microsoft", "microsoft-noreply@microsoft.com", "Your payment on 2026-05-18 14:03 was processed"),
        # The shape of corpus2's benign_ms/azure_invoice_ready.eml: an invoice number is no phone number.
        ("Microsoft Azure", "azure-noreply@microsoft.com", "Your Azure invoice G095734822 is ready"),
        ("Microsoft", "microsoft-noreply@microsoft.com", "Invoice 4821937512 for 12.99 EUR"),
        ("Microsoft Teams", "noreply@email.teams.microsoft.com", "Anna sent you a message: call me at 10:30?"),
    ],
)  # fmt: skip
def test_everyday_microsoft_service_mail_is_no_lure(display, address, subject):
    assert detect(mail(display, address, subject)).category != "phishing"
