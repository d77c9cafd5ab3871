"""What the store keeps of a mail: only what the database can hold, however the mail was crafted."""

import re

import pytest

from scanner.detect import detect
from scanner.models import Finding
from scanner.store import message_key, record_import

pytestmark = pytest.mark.django_db


def test_a_mail_with_nul_characters_is_stored_without_them(member):
    """PostgreSQL refuses NUL in text: a crafted subject must not make the scan fail on every pass."""
    from tests.findings import SINGLE_USE, with_message_id

    raw = SINGLE_USE.read_bytes()
    raw = re.sub(rb"(?mi)^Subject:[^\r\n]*", b"Subject: =?utf-8?q?Your_single-use_code=00?=", raw, count=1)
    raw = with_message_id(raw, "<nul=00-test@otpdash.test>").replace(b"nul=00-test", b"nul\x00test")
    detected = detect(raw)
    record_import(member.pk, "nul.eml", detected, message_key(detected, raw))
    finding = Finding.objects.get()
    assert "\x00" not in finding.subject + finding.message_key + finding.message_id
    assert finding.subject.startswith("Your single-use code")
