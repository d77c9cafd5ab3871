"""Details of how the detector reads a mail's text: a byte-order mark before the headers, invisible
bidirectional controls, a code drawn one digit per table cell, an attached mail in base64 or
quoted-printable, and wording in more languages.

All wording below is INVENTED for these tests (written here, not copied from any received mail);
the Czech and French sentences follow the usual phrasing of such mails, nothing more.
"""

from __future__ import annotations

import base64
import quopri
import time

import pytest

from detect import budget, detect, worth_reading_headers, worth_reading_many
from detect.message import BIDI_CONTROLS, address, header_text, normalise, parse, read_html

PASS = (
    "Authentication-Results: mx.example.net; dkim=pass header.d=accountprotection.microsoft.com;"
    " dmarc=pass header.from=accountprotection.microsoft.com\n"
)
MSA_FROM = "From: Microsoft account team <account-security-noreply@accountprotection.microsoft.com>\n"
# Invented: a security-code mail in the English template's shape.
SECURITY_CODE_TEXT = (
    "Please use the following security code for the Microsoft account ab**c@example.org.\n\n"
    "Security code: 482913\n\nThanks,\nThe Microsoft account team\n"
)


def mail(headers: str, body: str, ctype: str = "text/plain; charset=utf-8") -> bytes:
    return (headers.strip() + f"\nMIME-Version: 1.0\nContent-Type: {ctype}\n\n" + body).encode()


# --- a byte-order mark before the headers ----------------------------------------------------


def test_a_utf8_bom_before_the_headers_is_not_part_of_the_first_header():
    raw = mail(MSA_FROM + PASS + "Subject: Microsoft account security code", SECURITY_CODE_TEXT)
    plain = detect(raw)
    with_bom = detect(b"\xef\xbb\xbf" + raw)
    assert (with_bom.category, with_bom.codes, with_bom.account_hint, with_bom.sender_auth) == (
        "ms_code",
        ["482913"],
        "ab**c@example.org",
        "pass",
    )
    assert with_bom.to_dict() == plain.to_dict()


def test_a_bom_before_a_first_from_header_keeps_the_sender():
    raw = mail(MSA_FROM + "Subject: Microsoft account security code\n" + PASS, SECURITY_CODE_TEXT)
    assert raw.startswith(b"From:")
    finding = detect(b"\xef\xbb\xbf" + raw)
    assert (finding.category, finding.sender_auth, finding.forwarded, finding.error) == ("ms_code", "pass", False, None)


# --- bidirectional controls --------------------------------------------------------------------


@pytest.mark.parametrize("control", list(BIDI_CONTROLS), ids=lambda c: f"U+{ord(c):04X}")
def test_bidi_controls_are_removed_from_text(control):
    assert normalise(f"Microsoft {control}la**d@example.org{control}.\nرمز{control} الأمان") == (
        "Microsoft la**d@example.org.\nرمز الأمان"
    )


def test_a_right_to_left_mark_before_the_hint_does_not_stick_to_it():
    body = SECURITY_CODE_TEXT.replace("ab**c@example.org", "\u200fab**c@example.org\u200e")
    finding = detect(mail(MSA_FROM + PASS + "Subject: Microsoft account security code", body))
    assert (finding.category, finding.account_hint) == ("ms_code", "ab**c@example.org")


def test_bidi_controls_in_headers_are_removed():
    headers = (
        "From: =?utf-8?q?Microsoft=E2=80=AE_account_team?= <x@example.org>\nSubject: =?utf-8?q?Security=E2=80=8F_code?="
    )
    msg = parse(mail(headers, "hello\n"))
    assert (address(msg, "From"), header_text(msg, "Subject")) == (
        ("Microsoft account team", "x@example.org"),
        "Security code",
    )


def test_many_bidi_controls_cost_little():
    text = ("\u200f\u202e\u2066" * 200_000) + "Security code: 482913"
    start = time.thread_time()
    assert normalise(text) == "Security code: 482913"
    assert time.thread_time() - start < 0.5


# --- a code drawn one digit per table cell ---------------------------------------------------


def cells(digits: str, spacer: str = '<td width="6"></td>') -> str:
    return "<table><tr>" + spacer.join(f'<td style="font-size:28px">{d}</td>' for d in digits) + "</tr></table>"


def test_one_digit_per_cell_reads_as_the_code_shown():
    html = f"<p>Your verification code:</p>{cells('730914')}<p>Valid for 15 minutes.</p>"
    assert "730914" in normalise(read_html(html).text).split("\n")


def test_digit_cells_join_across_spacer_cells_and_white_space():
    html = "<table><tr>\n <td>7</td>\n <td>&nbsp;</td> <td>3</td><td><img src='x.png'></td><td>0</td>\n</tr></table>"
    assert "730" in normalise(read_html(html).text).split("\n")


def test_digit_cells_in_other_rows_or_beside_words_stay_apart():
    rows = "<table><tr><td>1</td></tr><tr><td>2</td></tr><tr><td>3</td></tr><tr><td>4</td></tr></table>"
    assert "1234" not in read_html(rows).text
    words = "<table><tr><td>7</td><td>of</td><td>3</td></tr></table>"
    assert "7 of 3" in " ".join(read_html(words).text.split())
    tail = "<table><tr><td>7</td>x<td>3</td></tr></table>"
    assert "73" not in read_html(tail).text
    multi = "<table><tr><td>12</td><td>34</td></tr></table>"
    assert "1234" not in read_html(multi).text


def test_a_code_in_digit_cells_is_found_by_the_code_finder():
    html = f"<html><body><p>Ihr Bestätigungscode:</p>{cells('730914')}</body></html>"
    headers = "From: Kundenportal <portal@stadtwerke.example>\nSubject: =?utf-8?q?Ihr_Best=C3=A4tigungscode?="
    finding = detect(mail(headers, html, "text/html; charset=utf-8"))
    assert (finding.category, finding.codes) == ("other_code", ["730914"])


def digit_row_cost(cells: int) -> float:
    """The least CPU time of three readings of a row of one-digit cells with spacers between."""
    html = "<table><tr>" + '<td>7</td><td width="6"></td>' * cells + "</tr></table>"
    costs = []
    for _ in range(3):
        start = time.thread_time()
        text = read_html(html).text
        costs.append(time.thread_time() - start)
    assert "7" * min(cells, 1000) in text
    return min(costs)


def test_many_digit_cells_cost_in_proportion_to_their_number():
    # Joining digit cells must not look back over all that came before: eight times the cells may
    # cost about eight times as much, not 64. A ratio of two readings in one process, so that a busy
    # machine slows both alike.
    small, large = digit_row_cost(5_000), digit_row_cost(40_000)
    assert large / small < 8 * 2, (small, large)


# --- a mail attached in base64 or quoted-printable -------------------------------------------

INNER = (
    MSA_FROM + "Subject: Microsoft account security code\n"
    "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    + SECURITY_CODE_TEXT.replace("Thanks,", "Thanks, señor,")
).encode()


def forward(encoding: str, encoded: bytes) -> bytes:
    return (
        b"From: Tomas <tomas@example.org>\nTo: jakub@example.org\nSubject: Fwd: look\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="XX"\n\n--XX\nContent-Type: text/plain; charset=utf-8\n\n'
        b"Is this real?\n--XX\nContent-Type: message/rfc822\nContent-Transfer-Encoding: "
        + encoding.encode()
        + b'\nContent-Disposition: attachment; filename="code.eml"\n\n'
        + encoded
        + b"\n--XX--\n"
    )


@pytest.mark.parametrize(
    "encoding, encoded",
    [
        ("base64", base64.encodebytes(INNER)),
        ("quoted-printable", quopri.encodestring(INNER)),
        ("8bit", INNER),
    ],
    ids=["base64", "quoted-printable", "8bit"],
)
def test_an_attached_mail_is_opened_whatever_its_transfer_encoding(encoding, encoded):
    finding = detect(forward(encoding, encoded))
    assert (finding.category, finding.forwarded, finding.codes, finding.account_hint) == (
        "ms_code",
        True,
        ["482913"],
        "ab**c@example.org",
    )
    assert finding.error is None


def test_an_attached_mail_whose_base64_is_broken_is_read_as_it_stands():
    finding = detect(forward("base64", b"!!!not base64 at all\n===="))
    assert finding.category in ("none", "other_code")


# --- wording in more languages ---------------------------------------------------------------

# Invented Czech single-use mail, in the shape of the English one.
CZECH_SINGLE_USE = (
    "Dobrý den tomas.novak@example.cz,\n\nobdrželi jsme vaši žádost o jednorázový kód pro použití s vaším "
    "účtem Microsoft.\n\nVáš jednorázový kód je: 052871\n\nDěkujeme,\nTým účtů Microsoft\n"
)


def test_czech_single_use_code_with_the_receivers_verdict_is_a_microsoft_code():
    finding = detect(mail(MSA_FROM + PASS + "Subject: =?utf-8?q?V=C3=A1=C5=A1_k=C3=B3d?=", CZECH_SINGLE_USE))
    assert (finding.category, finding.template, finding.language) == ("ms_code", "msa_single_use_v2", "cs")
    assert (finding.codes, finding.account_hint) == (["052871"], "tomas.novak@example.cz")


def test_czech_single_use_code_nobody_vouched_for_is_unverified():
    finding = detect(mail(MSA_FROM + "Subject: =?utf-8?q?V=C3=A1=C5=A1_k=C3=B3d?=", CZECH_SINGLE_USE))
    assert (finding.category, finding.codes, finding.sender_auth) == ("unverified", ["052871"], "unknown")


def test_czech_authorisation_code_of_a_bank():
    body = (
        "Vážený kliente,\n\npro autorizaci platby na účet 2800123456/2010 zadejte tento kód:\n\n"
        "Autorizační kód: 58201944\n\nKód je platný 5 minut. Volejte +420 555 123 456.\n"
    )
    headers = "From: Banka <notifikace@banka.example>\nSubject: =?utf-8?q?Autoriza=C4=8Dn=C3=AD_k=C3=B3d?="
    finding = detect(mail(headers, body))
    assert (finding.category, finding.codes, finding.template) == ("other_code", ["58201944"], "bank_otp")


def test_french_code_alone_on_the_line_after_its_label():
    body = (
        "Pour vérifier votre adresse e-mail, saisissez ce code sur la page de vérification de votre "
        "compte :\n\n384912\n\nSi vous n'avez rien demandé, ignorez cet e-mail.\n"
    )
    finding = detect(
        mail("From: Service <no-reply@service.example>\nSubject: =?utf-8?q?V=C3=A9rifiez_votre_adresse?=", body)
    )
    assert (finding.category, finding.codes) == ("other_code", ["384912"])


@pytest.mark.parametrize(
    "subject",
    [
        "=?utf-8?q?Autoriza=C4=8Dn=C3=AD_k=C3=B3d_pro_platbu?=",
        "=?utf-8?b?44Ov44Oz44K/44Kk44Og44OR44K544Ov44O844OJ?=",  # ワンタイムパスワード
        "=?utf-8?q?V=C3=A9rifiez_votre_adresse_e-mail?=",
        "Quarantine summary: 3 messages held",
    ],
    ids=["cs-kod", "ja-password", "fr-verify", "quarantine-digest"],
)
def test_the_header_prefilter_knows_these_names(subject):
    header = f"From: x <x@example.org>\r\nSubject: {subject}\r\n\r\n".encode()
    assert worth_reading_headers(header)
    assert worth_reading_many([header]) == [True]


def test_an_encoded_attached_mail_with_too_many_parts_is_not_parsed():
    """Encoded, its parts are hidden from the cheap look before the parser: it gets the same caps."""
    crafted = b"Content-Type: multipart/mixed; boundary=b\n\n" + b"--b\n\nx\n" * 200_000 + b"--b--\n"
    start = time.thread_time()
    finding = detect(forward("base64", base64.encodebytes(crafted)))
    assert time.thread_time() - start < budget.DEFAULT_SECONDS
    assert "an attached mail has more than" in (finding.error or "")
