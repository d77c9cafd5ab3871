"""The new pages in Chromium at a phone's size (390×844) and a desktop's (1280×800), light and dark, with
the page walk's checks (tests/test_browser_walk.py: no sideways scroll, every action on screen and
clickable, 44 px touch targets, no console or CSP error, no serious or critical axe-core fault):
search results, the digest preview, the invitation page with its QR code (read back from the
screenshot), and "I'm done signing in". Screenshots land in test-artifacts/new-pages/."""

from __future__ import annotations

import json
import re
import struct
import zlib

import pytest

from tests.browser import ARTIFACTS, sign_in, watch_console
from tests.test_browser_walk import AXE, LOOKS, PASSWORD, SIZES, check, household_with_history

pytestmark = pytest.mark.django_db(transaction=True)


def pages(who: str) -> list[str]:
    mine = ["/search/", "/search/?q=single-use", "/search/?q=single-use&in=incidents",
            "/search/?q=accountprotection-microsoft.com", "/search/?q=nothing+like+this", "/notifications/digest/"]  # fmt: skip
    return mine + (["/search/?q=code&who=all", "/search/?q=single-use&in=incidents&who=all"] if who == "olivia" else [])


def shoot(page, name: str) -> None:
    shots = ARTIFACTS / "new-pages"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_search_and_the_digest_preview_on_a_phone_and_a_desktop(live_server, browser):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make venv-test` (it runs npm ci in tests/tooling)", pytrace=False)
    household_with_history()
    report: dict[str, list[str]] = {}
    for size, scheme in LOOKS:
        width, height = SIZES[size]
        for who in ("alice", "olivia"):
            context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
            page = context.new_page()
            problems: list[str] = []
            watch_console(page, problems)
            sign_in(page, live_server.url, who, PASSWORD)
            for url in pages(who):
                response = page.goto(f"{live_server.url}{url}")
                assert response.status == 200, (who, url, response.status)
                shoot(page, f"{who}-{size}-{scheme}-{re.sub(r'[^a-z0-9]+', '_', url.strip('/'))}")
                found = check(page, problems)
                if found:
                    report[f"{who} {size} {scheme} {url}"] = found
            # What each page must show, beyond being usable.
            page.goto(f"{live_server.url}/search/?q=single-use")
            assert page.get_by_role("link", name=re.compile(r"Codes and mail \(\d+\)")).is_visible()
            assert page.locator("table.codes tbody tr").count() >= 2
            page.goto(f"{live_server.url}/notifications/digest/")
            assert page.get_by_role("heading", name="Your next digest").is_visible()
            frame = page.frame_locator("iframe.digest-frame")
            assert frame.get_by_text(re.compile(r"Your Microsoft codes: \d+")).is_visible()  # the mail's HTML, drawn
            # Search from the menu, as a person would (on a phone the menu opens first).
            page.goto(f"{live_server.url}/codes/")
            if size == "phone":
                page.get_by_text("Menu", exact=True).click()
            page.locator("#main-nav").get_by_role("link", name="Search", exact=True).click()
            page.get_by_label("Address, words of the subject, or sender").fill("single-use")
            with page.expect_navigation():
                page.get_by_role("button", name="Search", exact=True).click()
            assert "q=single-use" in page.url and page.locator("table.codes tbody tr").count() >= 2
            too_short = page.goto(f"{live_server.url}/search/?q=a")
            assert too_short.status == 400 and page.get_by_text("Type at least 2 letters or digits").is_visible()
            problems.clear()  # the 400 just asked for is the point, not a fault
            context.close()
    (ARTIFACTS / "new-pages" / "report.json").write_text(json.dumps(report, indent=1))
    assert not report, json.dumps(report, indent=1)[:20000]


def test_the_invitation_qr_code_scans_from_the_screen_and_done_signing_in_ends_the_window(live_server, browser):
    try:
        import zxingcpp
    except ImportError:
        pytest.fail("The QR decoder zxing-cpp is missing: run `make venv-test` (requirements-test.txt)", pytrace=False)
    household_with_history()
    report: dict[str, list[str]] = {}
    for n, (size, scheme) in enumerate(LOOKS):
        width, height = SIZES[size]
        context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
        page = context.new_page()
        problems: list[str] = []
        watch_console(page, problems)
        sign_in(page, live_server.url, "olivia", PASSWORD)
        page.goto(f"{live_server.url}/household/")
        page.get_by_label("Their email address").fill(f"new{n}@example.org")
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile("invit", re.I)).click()
        link = page.locator("#invitation-link").input_value()
        assert "/join/" in link
        shoot(page, f"olivia-{size}-{scheme}-invitation")
        report_key = f"olivia {size} {scheme} invitation"
        if found := check(page, problems):
            report[report_key] = found
        qr = page.get_by_role("img", name=f"QR code to scan on a phone, to join as new{n}@example.org")
        box = qr.bounding_box()
        assert box["width"] >= 150, box  # big enough for a camera at arm's length
        gray, w, h = grayscale(qr.screenshot())
        codes = zxingcpp.read_barcodes(memoryview(gray).cast("B", (h, w)))
        assert [c.text for c in codes] == [link], (size, scheme)

        # "I'm done signing in" on the codes page: open the window, end it, the first button is back.
        page.goto(f"{live_server.url}/codes/")
        with page.expect_navigation():
            page.get_by_role("button", name="I'm about to sign in to Microsoft").click()
        shoot(page, f"olivia-{size}-{scheme}-codes-window-open")
        if found := check(page, problems):
            report[f"olivia {size} {scheme} codes, window open"] = found
        with page.expect_navigation():
            page.get_by_role("button", name="I'm done signing in").click()
        assert page.get_by_text("Sign-in window closed").is_visible()
        assert page.get_by_role("button", name="I'm about to sign in to Microsoft").is_visible()
        context.close()
    assert not report, json.dumps(report, indent=1)[:20000]


def grayscale(png: bytes) -> tuple[bytes, int, int]:
    """A Chromium screenshot (8-bit RGB or RGBA PNG, not interlaced) as one byte of gray per pixel."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data = 8, b""
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        chunk = png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
        elif kind == b"IDAT":
            data += chunk
        pos += 12 + length
    channels = 4 if color == 6 else 3
    stride = width * channels
    raw, previous, out = zlib.decompress(data), bytearray(stride), bytearray()
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        out += bytes(
            (line[i] * 299 + line[i + 1] * 587 + line[i + 2] * 114) // 1000 for i in range(0, stride, channels)
        )
        previous = line
    return bytes(out), width, height
