"""The invitation-link page shows the link as a QR code: inline SVG (no image file, no outside service),
named for screen readers, and a QR decoder (zxing-cpp) reads back exactly the link the page gives."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from otpdash.qr import qr_svg
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db
SCALE = 4  # pixels per module: a decoder wants a few


def decode(svg: str) -> list[str]:
    """Draw the SVG's modules (each `M x,y H.. V.. H.. z` a unit square) as a grayscale bitmap on its
    white square, and read it with zxing-cpp: what a phone's camera would get from a sharp screen."""
    try:
        import zxingcpp
    except ImportError:
        pytest.fail("The QR decoder zxing-cpp is missing: run `make venv-test` (requirements-test.txt)", pytrace=False)
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    width = size * SCALE
    pixels = bytearray(b"\xff" * width * width)
    for x, y in re.findall(r"M(\d+),(\d+)H", svg):
        for dy in range(SCALE):
            row = (int(y) * SCALE + dy) * width + int(x) * SCALE
            pixels[row : row + SCALE] = b"\x00" * SCALE
    found = zxingcpp.read_barcodes(memoryview(bytes(pixels)).cast("B", (width, width)))
    return [(b.text, b.format.name) for b in found]


@pytest.fixture
def invited(client, household):
    owner = join(household, "olivia", "owner")
    response = sign_in(client, owner).post(reverse("invite"), {"email": "new@example.org", "role": "member"})
    assert response.status_code == 200
    page = response.content.decode()
    link = html.unescape(re.search(r'<textarea[^>]*id="invitation-link"[^>]*>([^<]+)</textarea>', page).group(1))
    svg = re.search(r"<svg\b.*?</svg>", page, re.S).group(0)
    return page, link, svg


def test_the_qr_code_reads_back_as_the_exact_invitation_link(invited):
    _page, link, svg = invited
    assert link.startswith("http://testserver/join/")
    # The same library draws the same code for the same link: nothing else went into it.
    assert svg == str(qr_svg(link, "QR code to scan on a phone, to join as new@example.org"))
    assert decode(svg) == [(link, "QRCode")]


def test_the_qr_code_is_inline_named_and_needs_nothing_the_csp_refuses(invited):
    page, link, svg = invited
    assert re.match(r'<svg [^>]*role="img" aria-label="QR code to scan on a phone, to join as new@example.org"', svg)
    assert "<title>QR code to scan on a phone, to join as new@example.org</title>" in svg
    assert '<rect fill="white"' in svg  # its own white square: it scans on the dark theme too
    assert not re.search(r"\sstyle=|<script|<img|https?://(?!www\.w3\.org/2000/svg)", svg)
    assert "scan this with their phone's camera" in page


def test_a_changed_link_gives_a_different_code(invited):
    _page, link, svg = invited
    other = str(qr_svg(link[:-2] + "x/", "QR code"))
    assert decode(other) == [(link[:-2] + "x/", "QRCode")] and decode(other) != decode(svg)


def test_a_label_cannot_break_out_of_the_svg():
    svg = str(qr_svg("https://example.org/", 'a" onload="alert(1)<b>'))
    assert 'aria-label="a&quot; onload=&quot;alert(1)&lt;b&gt;"' in svg and "<b>" not in svg


def test_only_admins_reach_the_invitation_page(member):
    response = sign_in(Client(), member).post(reverse("invite"), {"email": "x@example.org", "role": "member"})
    assert response.status_code == 403
