"""Findings stored the way the scanner stores them (detector, then store), at a chosen time."""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from email.utils import format_datetime

from scanner.detect import detect
from scanner.models import Finding
from scanner.store import message_key, record_import
from tests.corpus_labels import CORPUS
from tests.mailgen import with_message_id

SINGLE_USE = CORPUS / "ms_otp" / "en_single_use_privacy_footer_anna.eml"
SECURITY_CODE = CORPUS / "ms_otp" / "en_security_code_classic_marc.eml"
UNUSUAL_SIGNIN = CORPUS / "ms_security" / "en_unusual_signin_anna.eml"
PASSWORD_CHANGED = CORPUS / "ms_security" / "en_password_changed_lucia.eml"
PHISHING = CORPUS / "phishing" / "single_use_lookalike_hyphen_domain.eml"

_numbers = itertools.count(1)


def with_date(raw: bytes, when: datetime) -> bytes:
    return re.sub(rb"(?mi)^Date:[^\r\n]*", b"Date: " + format_datetime(when).encode(), raw, count=1)


def arrive(owner, when: datetime, mail=SINGLE_USE) -> Finding:
    """A mail for `owner` dated `when`, through detect() and record_import(), as a scan would store it."""
    n = next(_numbers)
    raw = with_date(with_message_id(mail.read_bytes(), f"<arrive-{n}@otpdash.test>"), when)
    detected = detect(raw)
    assert detected.category != "none", mail
    key = message_key(detected, raw)
    record_import(owner.pk, f"test-{n}.eml", detected, key)
    return Finding.objects.get(owner=owner, message_key=key)
