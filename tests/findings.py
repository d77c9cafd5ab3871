"""Findings stored the way the scanner stores them (detector, then store), at a chosen time."""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from email.utils import format_datetime

from detect import detect
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
    """A mail (a corpus path, or bytes) for `owner` dated `when`, through detect() and record_import(),
    as a scan would store it."""
    n = next(_numbers)
    source = mail if isinstance(mail, bytes) else mail.read_bytes()
    raw = with_date(with_message_id(source, f"<arrive-{n}@otpdash.test>"), when)
    detected = detect(raw)
    assert detected.category != "none", mail
    key = message_key(detected, raw)
    record_import(owner.pk, f"test-{n}.eml", detected, key)
    return Finding.objects.get(owner=owner, message_key=key)


# Invented wording in the shape of a Google verification mail: the code is in the subject too.
OTHER_PROVIDER_SUBJECT_MAIL = (
    b"From: Google <no-reply@accounts.google.com>\r\nTo: someone@example.org\r\n"
    b"Subject: 582914 is your Google verification code\r\nMessage-ID: <g-1@example.invalid>\r\n"
    b"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\nContent-Type: text/plain\r\n\r\n"
    b"Your verification code is: 582914\r\n"
)


def arrive_raw(owner, raw: bytes) -> Finding:
    """Any mail for `owner`, through detect() and record_import(), as a scan would store it."""
    detected = detect(raw)
    key = message_key(detected, raw)
    record_import(owner.pk, f"raw-{next(_numbers)}.eml", detected, key)
    return Finding.objects.get(owner=owner, message_key=key)
