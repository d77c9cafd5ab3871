"""The scanner's header-only pre-filter says yes to every message the full detector flags."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detect import detect, worth_reading_headers
from detect.engine import _worth_reading
from detect.message import parse_headers_only
from tests.corpus_labels import CORPUS

FIELDS = ("from", "sender", "reply-to", "subject")


def header_fields(raw: bytes) -> bytes:
    """What BODY.PEEK[HEADER.FIELDS (FROM SENDER REPLY-TO SUBJECT)] returns: those lines, folded as sent."""
    end = re.search(rb"\r?\n\r?\n", raw)
    head = raw[: end.start()] if end else raw
    out, keep = [], False
    for line in re.split(rb"(?<=\n)", head):
        if line[:1] in (b" ", b"\t"):
            if keep:
                out.append(line)
            continue
        keep = line.split(b":", 1)[0].strip().lower().decode("latin-1") in FIELDS
        if keep:
            out.append(line)
    return b"".join(out).rstrip(b"\r\n") + b"\r\n\r\n"


@pytest.mark.parametrize("path", sorted(CORPUS.rglob("*.eml")), ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_flagged_corpus_message_passes_the_header_filter(path):
    raw = path.read_bytes()
    header = header_fields(raw)
    fast = worth_reading_headers(header)
    assert fast == _worth_reading(parse_headers_only(header), b"")
    if detect(raw).category != "none":
        assert fast, "the scanner would never fetch this message's body"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.text(max_size=60))
def test_the_fast_path_agrees_with_the_parser(subject, sender):
    header = f"From: {sender} <x@example.org>\r\nSubject: {subject}\r\n\r\n".encode()
    try:
        parsed = _worth_reading(parse_headers_only(header), b"")
    except Exception:
        return
    if parsed:  # the fast path may read more, never less
        assert worth_reading_headers(header)


_HEADER_PIECES = [
    "From: ",
    "Subject: ",
    "Reply-To: ",
    "Sender: ",
    "\r\n",
    "\r\n ",
    "\t",
    " ",
    "Fwd: ",
    "WG:",
    "fs :",
    "Microsoft",
    "Security",
    "Newsletter",
    "lunch",
    "=?utf-8?q?code?=",
    "Konto",
    "безопасность",
    "log\r\n in",
    "<a@example.org>",
    "x",
    ":",
    "\x1c",
    "\x0b",
    "subject:fwd:",
]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_HEADER_PIECES), max_size=10), max_size=8))
def test_the_batch_filter_answers_as_the_single_one(headers):
    from detect import worth_reading_many

    raw = [("".join(pieces) + "\r\n\r\n").encode() for pieces in headers]
    assert worth_reading_many(raw) == [worth_reading_headers(h) for h in raw]


def test_the_batch_filter_on_the_corpus_headers():
    from detect import worth_reading_many

    raw = [header_fields(path.read_bytes()) for path in sorted(CORPUS.rglob("*.eml"))]
    assert worth_reading_many(raw) == [worth_reading_headers(h) for h in raw]
    assert any(worth_reading_many(raw)) and not all(worth_reading_many(raw))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(_HEADER_PIECES + ["482913", "code ", "\x00", "forwarded", "Microsoft", ".eml"]), max_size=10
        ),
        max_size=8,
    )
)
def test_the_batch_body_filter_answers_as_the_single_one(bodies):
    from detect.engine import _bodies_worth_reading, worth_reading_body

    raw = ["".join(pieces).encode() for pieces in bodies]
    assert _bodies_worth_reading(raw) == [worth_reading_body(body) for body in raw]
