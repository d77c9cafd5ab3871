"""Crafted mail cannot make the detector slow: every step is linear in its (capped) input, and a
CPU budget turns whatever still costs too much into an "unreadable" verdict that a scan records.

Each hostile message is timed against the standard library's parse of a same-sized ordinary
message in the same run, so the bound holds on a fast machine and on a loaded one alike; a
super-linear step on 2 MiB costs thousands of times that parse, not tens.
"""

from __future__ import annotations

import re
import time
from email import policy
from email.parser import BytesParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detect import CATEGORIES, detect, lexicon
from detect import budget as detect_budget
from detect.message import BODY_TEXT_LIMIT
from detect.microsoft import LABEL_REACH
from tests.corpus.hostile.make_hostile import cases

HOSTILE = cases()
# The bound on a hostile message: RATIO plain parses of a same-sized ordinary message, plus
# ORDINARY_TIMES the detection of an ordinary mail whose text fills the text cap (the wording
# patterns run over at most that much text, whatever the message). Measured: hostile messages
# stay under about 2 times that ordinary mail; a super-linear step costs hundreds of times.
RATIO = 20
ORDINARY_TIMES = 4
SLACK = 0.05  # seconds: costs that do not grow with size (the first use of lxml and of a pattern)
GENUINE = (
    b"From: Microsoft account team <account-security-noreply@accountprotection.microsoft.com>\r\n"
    b"Authentication-Results: mx.example.org; dkim=pass header.d=accountprotection.microsoft.com;"
    b" spf=pass smtp.mailfrom=accountprotection.microsoft.com; dmarc=pass header.from=accountprotection.microsoft.com\r\n"
    b"To: someone@example.org\r\nSubject: Microsoft account security code\r\n"
    b"Message-ID: <genuine-1@example.invalid>\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
)


def _cpu(call) -> tuple[float, object]:
    start = time.thread_time()
    result = call()
    return time.thread_time() - start, result


def _ordinary_full_text_seconds() -> float:
    """Measured anew for each case, right before it, so a machine whose load changes during the run
    compares like with like."""
    line = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor\r\n"
    raw = GENUINE + b"Content-Type: text/plain\r\n\r\n" + line * (BODY_TEXT_LIMIT // len(line))
    return min(_cpu(lambda: detect(raw))[0] for _ in range(2))


def _bound(size: int) -> float:
    return RATIO * _plain_parse_seconds(size) + ORDINARY_TIMES * _ordinary_full_text_seconds() + SLACK


def _plain_parse_seconds(size: int) -> float:
    line = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor\r\n"
    plain = b"From: a@b.example\r\nSubject: s\r\n\r\n" + line * (size // len(line))
    return min(_cpu(lambda: BytesParser(policy=policy.compat32).parsebytes(plain))[0] for _ in range(3))


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_message_finishes_within_its_budget(name):
    raw = HOSTILE[name]
    bound = _bound(len(raw))
    spent, finding = _cpu(lambda: detect(raw))
    assert finding.category in CATEGORIES
    assert "internal error" not in (finding.error or "")
    assert spent <= detect_budget.DEFAULT_SECONDS + SLACK, f"{name}: {spent:.3f} s"
    assert spent <= bound, f"{name}: {spent:.3f} s, bound {bound:.3f} s"


def test_the_reported_style_and_script_mail_is_read_in_milliseconds():
    # 188 KiB of "<script " after "<style>" cost about 50 s in the old HTML clean-up pattern.
    spent, finding = _cpu(lambda: detect(HOSTILE["style_then_scripts_188k"]))
    assert finding.category != "unreadable"
    assert spent < 0.5


def test_a_message_over_budget_is_unreadable_with_its_identity_kept():
    raw = GENUINE + b"Content-Type: text/plain\r\n\r\nSecurity code: 482913\r\n"
    assert detect(raw).category == "ms_code"
    finding = detect(raw, budget_seconds=0)
    assert finding.category == "unreadable"
    assert finding.message_id == "<genuine-1@example.invalid>"
    assert finding.subject == "Microsoft account security code"
    assert "budget" in finding.error and finding.reasons
    assert finding.codes == []


def test_deep_mime_nesting_is_unreadable_not_an_error():
    finding = detect(HOSTILE["deep_mime_nesting"])
    assert finding.category == "unreadable"
    assert "multipart" in finding.error


def test_a_code_beside_hostile_html_is_still_found():
    raw = GENUINE + (
        b'Content-Type: multipart/alternative; boundary="a"\r\n\r\n'
        b"--a\r\nContent-Type: text/plain\r\n\r\nSecurity code: 482913\r\n"
        b"--a\r\nContent-Type: text/html\r\n\r\n<style>" + b"<script " * 100_000 + b"\r\n--a--\r\n"
    )
    finding = detect(raw)
    assert finding.category == "ms_code"
    assert finding.codes == ["482913"]


def test_a_code_after_a_million_header_lines_is_found_and_the_cut_is_said():
    finding = detect(HOSTILE["million_header_lines"])
    assert finding.codes == ["123456"]
    assert "first 2000 lines" in finding.error


def test_text_beyond_the_cap_is_said():
    raw = GENUINE + b"Content-Type: text/plain\r\n\r\n" + b"filler line\n" * 40_000 + b"Security code: 482913\r\n"
    finding = detect(raw)
    assert "KiB of its text were read" in finding.error


def test_html_is_read_as_a_mail_client_shows_it():
    raw = GENUINE + (
        b"Content-Type: text/html\r\n\r\n<html><head><title>Security code: 111111</title>"
        b"<style>p{}</style></head><body><p>Security code:</p><div><span>482913</span></div>"
        b"<script>Security code: 222222</script><p>Security code: <b>482913</b></p></body></html>"
    )
    finding = detect(raw)
    assert finding.codes == ["482913"]


def test_the_label_reach_covers_every_code_label():
    # A label has no unbounded repetition, so it matches at most as many characters as its source has.
    for by_language in lexicon.CODE_LABELS.values():
        for labels in by_language.values():
            for label in labels:
                assert not re.search(r"(?<!\\)[+*{]", label), label
                assert len(label) + 2 < LABEL_REACH, label


FRAGMENTS = [
    "<",
    "<a",
    "<script ",
    "<style>",
    "</",
    "<!--",
    '"',
    "'",
    "=",
    "&#",
    "&",
    "@",
    ":",
    ": 123456",
    "-",
    "*",
    "\x0c",
    "\n",
    " ",
    "a",
    "From: x@y.example\n",
    "Subject: s\n",
    "=?utf-8?q?",
    "<div>",
    ".",
    "+",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6),
    st.integers(1, 60_000),
    st.sampled_from(["text/plain", "text/html"]),
)
def test_any_repetition_of_hostile_pieces_finishes_within_its_budget(pieces, times, ctype):
    body = ("".join(pieces) * times).encode()[: 2 * 1024 * 1024]
    raw = GENUINE + f"Content-Type: {ctype}\r\n\r\n".encode() + body
    bound = _bound(len(raw))
    spent, finding = _cpu(lambda: detect(raw))
    assert finding.category in CATEGORIES
    assert spent <= bound, f"{spent:.3f} s, bound {bound:.3f} s"
