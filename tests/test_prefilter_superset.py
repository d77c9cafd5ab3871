"""The scanner's pre-filter is a superset of classify: every corpus message that classify flags is
fetched, whatever its subject says. The header fields, the start of the first part and the
structure come from a real Dovecot, as the scanner reads them."""

from __future__ import annotations

import re
from email.header import Header as EncodedHeader

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detect import detect, worth_reading_many
from tests.corpus_labels import CORPUS
from tests.dovecot import MISSING, Dovecot, dovecot_binary

_SUBJECT = re.compile(rb"(?mi)^Subject:[^\n]*\n(?:[ \t][^\n]*\n)*")


@pytest.fixture(scope="module")
def fetched():
    """(raw message, what the pre-filter fetched of it) for every corpus message."""
    if dovecot_binary() is None:
        pytest.fail(MISSING, pytrace=False)
    from imapclient import IMAPClient

    from scanner.imap.reader import FolderReader

    raws = [path.read_bytes() for path in sorted(CORPUS.rglob("*.eml"))]
    server = Dovecot().start()
    try:
        server.append(raws)
        client: IMAPClient = server.client()
        reader = FolderReader(client)
        reader.examine("INBOX")
        headers = reader.headers(list(range(1, len(raws) + 1)))
        client.logout()
    finally:
        server.destroy()
    assert [h.uid for h in headers] == list(range(1, len(raws) + 1))
    return list(zip(raws, headers, strict=True))


def _with_subject(block: bytes, subject: str) -> bytes:
    line = b"Subject: " + EncodedHeader(subject, "utf-8").encode().encode() + b"\r\n"
    replaced, count = _SUBJECT.subn(lambda _: line, block, count=1)
    return replaced if count else line + block


def _message_with_subject(raw: bytes, subject: str) -> bytes:
    end = raw.find(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.find(b"\n\n")
    return _with_subject(raw[:end] + b"\n", subject).rstrip(b"\r\n") + raw[end:]


def test_every_message_classify_flags_passes_as_fetched(fetched):
    flagged = [(raw, h) for raw, h in fetched if detect(raw).category != "none"]
    assert len(flagged) > 40
    answers = worth_reading_many([h.header for _, h in flagged], [h.snippet for _, h in flagged],
                                 [h.attaches_mail for _, h in flagged])  # fmt: skip
    assert all(answers)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60))
def test_whatever_the_subject_says(fetched, subject):
    headers, snippets, attaches, flagged = [], [], [], []
    for raw, fetched_header in fetched:
        changed = _message_with_subject(raw, subject)
        headers.append(_with_subject(fetched_header.header, subject))
        snippets.append(fetched_header.snippet)
        attaches.append(fetched_header.attaches_mail)
        flagged.append(detect(changed).category != "none")
    answers = worth_reading_many(headers, snippets, attaches)
    missed = [index for index, (flag, answer) in enumerate(zip(flagged, answers, strict=True)) if flag and not answer]
    assert not missed, [fetched[i][0][:200] for i in missed]
