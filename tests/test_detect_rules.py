"""Rules of the detector, each on the smallest input that shows it."""

from datetime import datetime, timedelta, timezone

import pytest

from detect import detect, mask_code
from detect.auth import AuthResults, parse_value, verdict
from detect.dates import loose_date
from detect.domains import lookalike_reason, registrable
from tests.corpus_labels import CORPUS

GENUINE_TEXT = (
    "Hi kid.20140526@example.com,\n\nWe received your request for a single-use code to use with your "
    "Microsoft account.\n\nYour single-use code is: 012345\n\nThanks,\nThe Microsoft account team\n"
)


def message(headers: str, body: str = GENUINE_TEXT) -> bytes:
    return (headers.strip() + "\nContent-Type: text/plain; charset=utf-8\n\n" + body).encode()


def read(name: str):
    return detect((CORPUS / name).read_bytes())


def test_time_is_utc_from_pacific_date_header():
    assert read("ms_otp/en_single_use_burst_jonas_01.eml").sent_at == datetime(
        2026, 1, 14, 2, 2, 9, tzinfo=timezone.utc
    )


def test_time_falls_back_to_top_received_header():
    assert read("edge/missing_date_header_fr.eml").sent_at == datetime(2026, 11, 19, 2, 48, 9, tzinfo=timezone.utc)


def test_inline_forward_is_the_original_mail_with_its_own_time():
    finding = read("edge/forwarded_inline_by_grandma.eml")
    assert (finding.category, finding.forwarded, finding.sender_auth) == ("ms_code", True, "unknown")
    # "Wed, Jan 14, 2026 at 3:24 AM" carries no zone: read in the forwarder's +0100.
    assert finding.sent_at == datetime(2026, 1, 14, 2, 24, tzinfo=timezone.utc)


def test_outlook_forward_with_two_codes_lists_newest_first():
    finding = read("edge/two_codes_forwarded_outlook_es.eml")
    assert finding.codes == ["096315", "208024"]
    assert finding.sent_at == datetime(2026, 3, 8, 3, 14, tzinfo=timezone.utc)


def test_attached_forward_is_judged_by_its_own_headers():
    finding = read("edge/forwarded_as_attachment_rfc822.eml")
    assert (finding.forwarded, finding.sender_auth, finding.template) == (True, "pass", "msa_security_code_personal")
    assert finding.sent_at == datetime(2026, 2, 27, 2, 14, tzinfo=timezone.utc)


def test_truncated_part_is_reported_and_the_code_still_found():
    finding = read("edge/truncated_mime_no_closing_boundary.eml")
    assert finding.codes == ["820341"]
    assert "truncated" in finding.error


def test_unusual_signin_details():
    signin = read("ms_security/en_unusual_signin_anna.eml").signin
    assert (signin.country, signin.ip, signin.platform, signin.browser) == (
        "Brazil",
        "177.54.148.23",
        "Windows",
        "Chrome",
    )
    assert signin.at == datetime(2026, 5, 12, 1, 1, tzinfo=timezone.utc)


def test_german_signin_date_is_day_first():
    assert read("ms_security/de_unusual_signin_peter.eml").signin.at == datetime(
        2026, 2, 27, 2, 37, tzinfo=timezone.utc
    )


def test_code_comes_from_its_label_not_the_greeting_and_keeps_leading_zero():
    finding = detect(
        message("""
Authentication-Results: mx.example.net; dkim=pass header.d=accountprotection.microsoft.com; dmarc=pass header.from=accountprotection.microsoft.com
From: Microsoft account team <account-security-noreply@accountprotection.microsoft.com>
Subject: Your single-use code
Date: Tue, 13 Jan 2026 18:02:09 -0800""")
    )
    assert finding.category == "ms_code"
    assert finding.codes == ["012345"]
    assert finding.account_hint == "kid.20140526@example.com"


def test_arc_seal_and_exchange_results_are_never_read():
    headers = """
Authentication-Results: mx.example.net; dkim=pass header.d=accountprotection.microsoft.com; dmarc=pass header.from=accountprotection.microsoft.com
ARC-Authentication-Results: i=1; mx.microsoft.com 1; spf=none; dmarc=none action=none header.from=accountprotection.microsoft.com; dkim=none (message not signed); arc=none
X-MS-Exchange-Authentication-Results: spf=none (sender IP is 52.234.111.151) smtp.mailfrom=accountprotection.microsoft.com; dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=accountprotection.microsoft.com;
From: Microsoft account team <account-security-noreply@accountprotection.microsoft.com>
Subject: Your single-use code"""
    finding = detect(message(headers))
    assert (finding.category, finding.sender_auth) == ("ms_code", "pass")


def test_only_the_top_authentication_results_counts():
    headers = """
Authentication-Results: mx.example.net; dkim=fail header.d=accountprotection.microsoft.com; dmarc=fail header.from=accountprotection.microsoft.com
Authentication-Results: upstream.example; dkim=pass header.d=accountprotection.microsoft.com; dmarc=pass header.from=accountprotection.microsoft.com
From: Microsoft account team <account-security-noreply@accountprotection.microsoft.com>
Subject: Your single-use code"""
    finding = detect(message(headers))
    assert (finding.category, finding.sender_auth) == ("phishing", "fail")


@pytest.mark.parametrize(
    "value, expected",
    [
        (
            "spf=pass (sender IP is 40.107.94.50) smtp.mailfrom=accountprotection.microsoft.com; dkim=pass (signature was "
            "verified) header.d=accountprotection.microsoft.com;dmarc=pass action=none "
            "header.from=accountprotection.microsoft.com;compauth=pass reason=100",
            "pass",
        ),
        (
            "spf=none (sender IP is 89.144.44.2) smtp.mailfrom=x.co.uk; dkim=none (message not signed) header.d=none;"
            "dmarc=permerror action=none header.from=accountprotection.microsoft.com;",
            "fail",
        ),
        # SPF that passes for the From domain's organisation is aligned (RFC 7489 relaxed alignment): a pass.
        ("mx.example.net; dkim=none; dmarc=none; spf=pass smtp.mailfrom=accountprotection.microsoft.com", "pass"),
        ("mx.example.net; dkim=none; dmarc=none; spf=pass smtp.mailfrom=bounces.example.org", "none"),
        ("spf=none smtp.mailfrom=x.example; dkim=none header.d=none; dmarc=none header.from=x; compauth=pass", "pass"),
        (
            "spf=fail smtp.mailfrom=x.example; dmarc=fail header.from=accountprotection.microsoft.com; compauth=fail",
            "fail",
        ),
        ("mx.example.net; dkim=pass header.d=accountprotection.microsoft.com", "pass"),
        ("mx.example.net; dmarc=pass header.from=evil.example", "fail"),
    ],
)
def test_authentication_results_verdicts(value, expected):
    assert verdict(parse_value(value), "accountprotection.microsoft.com") == expected


def test_no_authentication_results_is_unknown():
    assert verdict(AuthResults(), "microsoft.com") == "unknown"
    assert detect(message("From: a@example.com\nSubject: Your single-use code")).sender_auth == "unknown"


def test_registrable_domains_are_compared_exactly():
    assert registrable("accountprotection.microsoft.com") == "microsoft.com"
    assert registrable("cgbedugt.onmicrosoft.com") != "microsoft.com"


@pytest.mark.parametrize(
    "domain",
    [
        "accountprotection.xn--micrsoft-qbh.com",
        "accountprotection.rnicrosoft.com",
        "accountprotection-microsoft.com",
        "micros0ft-365-portal.example",
        "tenant.onmicrosoft.com",
    ],
)
def test_lookalike_domains(domain):
    assert lookalike_reason(domain)


@pytest.mark.parametrize(
    "domain", ["accountprotection.microsoft.com", "microsoftonline.com", "example.com", "gmail.com"]
)
def test_real_domains_are_not_lookalikes(domain):
    assert lookalike_reason(domain) is None


@pytest.mark.parametrize(
    "text, day_first, expected",
    [
        ("Wed, Jan 14, 2026 at 3:24 AM", False, datetime(2026, 1, 14, 2, 24)),
        ("domingo, 8 de marzo de 2026 4:14", True, datetime(2026, 3, 8, 3, 14)),
        ("Samstag, 7. März 2026 19:14", True, datetime(2026, 3, 7, 18, 14)),
        ("5/12/2026 1:01 PM (GMT)", False, datetime(2026, 5, 12, 13, 1)),
        ("2026年3月8日 4:14", True, datetime(2026, 3, 8, 3, 14)),
    ],
)
def test_loose_dates(text, day_first, expected):
    # Read in the forwarder's +0100 unless the text names its zone (GMT).
    assert loose_date(text, timezone(timedelta(hours=1)), day_first) == expected.replace(tzinfo=timezone.utc)


def test_codes_are_masked_unless_asked():
    finding = read("ms_otp/en_personal_security_code_sam.eml")
    assert finding.to_dict()["codes"] == ["****19"]
    assert finding.to_dict(show_codes=True)["codes"] == ["054319"]
    assert mask_code("12345678") == "****78"


def test_output_keys_are_exactly_the_documented_ones():
    keys = set(read("ms_security/en_unusual_signin_anna.eml").to_dict())
    assert keys == {
        "category",
        "provider",
        "template",
        "language",
        "codes",
        "account_hint",
        "sent_at",
        "sender_auth",
        "forwarded",
        "signin",
        "reasons",
    }
    assert "error" in read("edge/truncated_mime_no_closing_boundary.eml").to_dict()


def test_entra_tenant_lure_through_genuine_sender_is_phishing_with_its_code():
    finding = read("phishing/msonlineservicesteam_tenant_name_lure.eml")
    assert (finding.category, finding.sender_auth, finding.codes) == ("phishing", "pass", ["219013"])
    assert any("tenant name" in reason for reason in finding.reasons)


def test_other_provider_code_and_meeting_passcodes():
    assert read("other_otp/github_device_verification.eml").provider == "github"
    assert read("benign/zoom_meeting_code_es.eml").codes == []
    assert read("benign/teams_meeting_invite_passcode.eml").codes == []


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00" * 64,
        b"\xff\xfe\xfd",
        b"Subject: x",
        b"From: \n\n",
        b"Subject: =?utf-8?B?////?=\n\nbody",
        b'Content-Type: multipart/mixed; boundary=""\n\n--\n--',
        b"Content-Type: text/plain; charset=x-nope\n\n\xe9",
        b"Content-Type: message/rfc822\n\n" * 50,
        b"From: " + b"a" * 100000 + b"\n\n",
        b"Content-Transfer-Encoding: base64\nSubject: code\n\n=====!!!",
    ],
)
def test_never_raises_on_garbage(raw):
    finding = detect(raw)
    assert finding.category == "none"
    assert "internal error" not in (finding.error or "")


def test_german_outlook_forward_block_is_read():
    body = (
        "Ist das echt?\n\n________________________________\n"
        "Von: Microsoft-Kontoteam <account-security-noreply@accountprotection.microsoft.com>\n"
        "Gesendet: Freitag, 27. Februar 2026 03:12\nAn: peter.weber@example.com\nBetreff: Ihr Einmalcode\n\n"
        "Hallo peter.weber@example.com,\n\nwir haben Ihre Anforderung für einen Einmalcode für Ihr "
        "Microsoft-Konto erhalten.\n\nIhr Einmalcode lautet: 008870\n"
    )
    finding = detect(
        message(
            """
Authentication-Results: mx.example.net; dkim=pass header.d=example.com; dmarc=pass header.from=example.com
From: Peter Weber <peter.weber@example.com>
Subject: WG: Ihr Einmalcode
Date: Fri, 27 Feb 2026 08:00:00 +0100""",
            body,
        )
    )
    assert (finding.category, finding.forwarded, finding.codes) == ("ms_code", True, ["008870"])
    assert (finding.language, finding.account_hint) == ("de", "peter.weber@example.com")
    assert finding.sent_at == datetime(2026, 2, 27, 2, 12, tzinfo=timezone.utc)


def test_forwarded_lookalike_stays_phishing():
    body = (
        "Fyi\n\n---------- Forwarded message ---------\n"
        "From: Microsoft account team <account-security-noreply@accountprotection-microsoft.com>\n"
        "Date: Tue, Jan 20, 2026 at 8:15 AM\nSubject: Your single-use code\n\n"
        "Hi jonas.weber@example.com,\n\nWe received your request for a single-use code to use with your "
        "Microsoft account.\n\nYour single-use code is: 482913\n"
    )
    finding = detect(
        message(
            """
From: Jonas Weber <jonas.weber@example.com>
Subject: Fwd: Your single-use code
Date: Tue, 20 Jan 2026 09:00:00 +0100""",
            body,
        )
    )
    assert (finding.category, finding.forwarded, finding.codes) == ("phishing", True, ["482913"])


def test_reasons_never_carry_the_code():
    for name in ("phishing/security_code_idn_homoglyph.eml", "phishing/unusual_signin_clone_access-accsecurity.eml"):
        finding = read(name)
        assert not any(code in reason for reason in finding.reasons for code in finding.codes)
        assert not any("?" in reason and "mailto" in reason for reason in finding.reasons)


def test_msft_abbreviation_from_microsoft_is_not_a_lookalike():
    finding = detect(
        message(
            """
Authentication-Results: mx.example.net; dkim=pass header.d=microsoft.com; dmarc=pass header.from=microsoft.com
From: MSFT Rewards <rewards@microsoft.com>
Subject: Your points this month""",
            "You earned 120 points.\\n",
        )
    )
    assert finding.category == "none"


# --- the fast code-line finder is the plain regex, only faster ---
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from detect import microsoft  # noqa: E402

_PIECES = [
    "Security code",
    "Your single-use code is",
    "sicherheitscode",
    "コード",
    "보안 코드",
    "your code is",
    ":",
    " : ",
    "：",
    "\n",
    " ",
    "\t",
    "123456",
    "0042",
    "9876543",
    "123",
    "1234567890",
    "x",
    "code",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_code_lines_finds_exactly_what_the_plain_regex_finds(pieces):
    text = "".join(pieces)
    fast = [(m.start(), m.end(), m.group("label"), m.group("code")) for m in microsoft.code_lines(text)]
    plain = [(m.start(), m.end(), m.group("label"), m.group("code")) for m in microsoft._CODE_LINE.finditer(text)]
    assert fast == plain
