"""Forwards from any client: read as the mail they carry, whatever the subject, and the forwarder's
own domain is never an impostor for quoting Microsoft. The client layouts follow common mail
clients; names, addresses and codes are invented."""

from __future__ import annotations

import base64

from detect import detect

ORIGINAL = (
    "Please use the following security code for the Microsoft account pe**r@example.com.\r\n"
    "Security code: 305812\r\n"
    "If you didn't request this code, you can safely ignore this email.\r\n"
    "Thanks,\r\nThe Microsoft account team\r\n"
)
GENUINE_FILE = (
    "From: Microsoft account team <account-security-noreply@accountprotection.microsoft.com>\r\n"
    "Authentication-Results: mx.example.com; dkim=pass header.d=accountprotection.microsoft.com; "
    "dmarc=pass header.from=accountprotection.microsoft.com\r\n"
    "To: peter@example.com\r\nSubject: Microsoft account security code\r\n"
    "Date: Mon, 30 Nov 2026 21:00:00 +0000\r\nMessage-ID: <orig-1@example.invalid>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n" + ORIGINAL
)


def from_family(
    subject: str, body: str, extra_headers: str = "", content_type: str = "text/plain; charset=utf-8"
) -> bytes:
    return (
        "From: Peter Weber <peter@weber-family.example>\r\nTo: alice@example.net\r\n"
        f"Subject: {subject}\r\nDate: Tue, 01 Dec 2026 08:00:00 +0100\r\nMessage-ID: <fwd-1@weber-family.example>\r\n"
        f"{extra_headers}MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n{body}"
    ).encode()


def test_a_thunderbird_forward_with_subject_first_is_read_as_the_original():
    body = (
        "Is this real?\r\n\r\n-------- Forwarded Message --------\r\n"
        "Subject: Microsoft account security code\r\nDate: Mon, 30 Nov 2026 21:00:00 +0000\r\n"
        "From: Microsoft account team <account-security-noreply@accountprotection.microsoft.com>\r\n"
        "To: peter@example.com\r\n\r\n" + ORIGINAL
    )
    finding = detect(from_family("Fwd: Microsoft account security code", body))
    assert (finding.category, finding.forwarded, finding.codes) == ("ms_code", True, ["305812"])


def test_a_reply_that_quotes_the_mail_is_read_as_the_original():
    quoted = "".join(
        f"> {line}\r\n"
        for line in (
            "From: Microsoft account team <account-security-noreply@accountprotection.microsoft.com>",
            "Sent: Monday, November 30, 2026 9:00 PM",
            "Subject: Microsoft account security code",
            "",
            *ORIGINAL.split("\r\n"),
        )
    )
    finding = detect(from_family("Re: strange mail", "Did you get this too?\r\n\r\n" + quoted))
    assert (finding.category, finding.forwarded, finding.codes) == ("ms_code", True, ["305812"])


def test_a_forward_whose_header_block_is_gone_is_not_phishing_from_the_family_domain():
    body = "Look at this!\r\n\r\n---------- Weitergeleitete Nachricht ----------\r\n\r\n" + ORIGINAL
    finding = detect(from_family("Komische Mail (a plain subject, no prefix)", body))
    assert (finding.category, finding.forwarded, finding.sender_auth) == ("ms_code", True, "unknown")
    assert any("forwarded by peter@weber-family.example" in reason for reason in finding.reasons)


def test_microsoft_wording_from_a_stranger_who_forwards_nothing_is_still_phishing():
    finding = detect(from_family("Account notice", ORIGINAL).replace(b"Peter Weber", b"Account Desk"))
    assert finding.category == "phishing"


def test_a_display_name_claiming_microsoft_is_no_forward():
    body = "---------- Forwarded message ----------\r\n" + ORIGINAL
    raw = from_family("Fwd: code", body).replace(b"Peter Weber", b"Microsoft Security")
    assert detect(raw).category == "phishing"


def test_a_mail_attached_as_an_octet_stream_file_is_read():
    attached = base64.encodebytes(GENUINE_FILE.encode()).decode()
    body = (
        "--b\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n--b\r\n"
        'Content-Type: application/octet-stream; name="code.eml"\r\nContent-Transfer-Encoding: base64\r\n'
        'Content-Disposition: attachment; filename="code.eml"\r\n\r\n' + attached + "--b--\r\n"
    )
    finding = detect(from_family("a plain subject", body, content_type='multipart/mixed; boundary="b"'))
    assert (finding.category, finding.forwarded, finding.codes) == ("ms_code", True, ["305812"])
    assert finding.sender_auth == "pass"  # judged by the attached mail's own headers
