"""Links rewritten by mail security gateways are judged as their author wrote them.

The rewritten forms follow each vendor's published format (detect/links.py names them); the
addresses inside are invented examples.
"""

from __future__ import annotations

import pytest

from detect import detect
from detect.links import unwrap
from tests.mailgen import CODE_MAIL

ORIGINAL = "https://account.live.com/ResetPassword.aspx?mn=anna"


@pytest.mark.parametrize(
    ("rewritten", "original"),
    [
        ("https://urldefense.proofpoint.com/v2/url?u=https-3A__account.live.com_ResetPassword.aspx-3Fmn-3Danna&d=DwMFaQ&c=x&r=y",
         ORIGINAL),
        ("https://urldefense.proofpoint.com/v1/url?u=https%3A%2F%2Faccount.live.com%2FResetPassword.aspx%3Fmn%3Danna&k=abc",
         ORIGINAL),
        ("https://urldefense.com/v3/__https://account.live.com/ResetPassword.aspx?mn=anna__;!!ABC123!xyz$", ORIGINAL),
        ("https://eur02.safelinks.protection.outlook.com/?url=https%3A%2F%2Faccount.live.com%2FResetPassword.aspx%3Fmn%3Danna&data=05%7C01",
         ORIGINAL),
        ("https://linkprotect.cudasvc.com/url?a=https%3a%2f%2faccount.live.com%2fResetPassword.aspx%3fmn%3danna&c=E,1,x",
         ORIGINAL),
        ("https://secure-web.cisco.com/1AbCdEf/https%3A%2F%2Faccount.live.com%2FResetPassword.aspx%3Fmn%3Danna", ORIGINAL),
        ("https://protect-eu.mimecast.com/s/AbCdEfGh?domain=account.live.com", "https://account.live.com/"),
        # Safe Links around Proofpoint: both layers undone.
        ("https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Furldefense.com%2Fv3%2F__https%3A%2F%2Fevil.example%2Fx__%3B!!T!a%24&data=1",
         "https://evil.example/x"),
        (ORIGINAL, ORIGINAL),
    ],
)  # fmt: skip
def test_a_rewritten_link_is_unwrapped(rewritten, original):
    assert unwrap(rewritten) == original


def test_a_gateway_link_without_its_original_is_opaque():
    assert unwrap("https://eur02.safelinks.protection.outlook.com/?data=05") is None
    assert unwrap("https://protect-us.mimecast.com/s/AbCd") is None


def with_link(raw: bytes, link: str) -> bytes:
    """The corpus code mail with one more link in its HTML part (the mail has an HTML part)."""
    assert b"</body>" in raw.lower() or b"</html>" in raw.lower()
    marker = b"</body>" if b"</body>" in raw else b"</BODY>" if b"</BODY>" in raw else b"</html>"
    return raw.replace(marker, f'<a href="{link}">Help</a>'.encode() + marker, 1)


@pytest.mark.parametrize(
    "link",
    [
        "https://eur02.safelinks.protection.outlook.com/?url=https%3A%2F%2Faccount.live.com%2Fhelp&amp;data=05",
        "https://urldefense.proofpoint.com/v2/url?u=https-3A__account.live.com_help&amp;d=DwMFaQ&amp;c=x",
        "https://linkprotect.cudasvc.com/url?a=https%3a%2f%2faccount.live.com%2fhelp&amp;c=E,1,x",
        "https://protect-eu.mimecast.com/s/AbCdEfGh?domain=account.live.com",
        "https://protect-eu.mimecast.com/s/AbCdEfGh",
    ],
)
def test_microsofts_own_link_rewritten_by_a_gateway_is_still_microsofts(link):
    finding = detect(with_link(CODE_MAIL.read_bytes(), link))
    assert finding.category == "ms_code", finding.reasons


def test_a_strangers_link_wrapped_in_safe_links_is_a_strangers_link():
    link = "https://eur02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fms-verify.example.net%2Flogin&amp;data=05"
    finding = detect(with_link(CODE_MAIL.read_bytes(), link))
    assert "link to non-Microsoft site ms-verify.example.net" in finding.reasons


def test_an_antivirus_footer_link_is_no_strangers_site():
    """The footer Avast's mail shield adds ("Virus-free. www.avast.com"), as a link."""
    link = "https://www.avast.com/sig-email?utm_medium=email&amp;utm_source=link"
    finding = detect(with_link(CODE_MAIL.read_bytes(), link))
    assert finding.category == "ms_code", finding.reasons


def test_a_gateway_link_with_hundreds_of_fields_is_opaque_not_an_error():
    assert unwrap("https://eur02.safelinks.protection.outlook.com/?" + "&".join(f"f{i}=1" for i in range(200))) is None
