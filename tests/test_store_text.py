"""What the store keeps of a mail: only what the database can hold, however the mail was crafted."""

import re

import pytest

from detect import detect
from scanner.models import Finding
from scanner.store import message_key, record_import
from tests.findings import OTHER_PROVIDER_SUBJECT_MAIL

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


def _store(member, raw: bytes) -> Finding:
    detected = detect(raw)
    record_import(member.pk, "test.eml", detected, message_key(detected, raw))
    return Finding.objects.get(owner=member)


OTHER_PROVIDER = OTHER_PROVIDER_SUBJECT_MAIL


def test_another_providers_code_is_masked_in_the_stored_subject(member):
    finding = _store(member, OTHER_PROVIDER)
    assert finding.category == "other_code"
    assert finding.subject == "****14 is your Google verification code"
    stored = repr(list(Finding.objects.values()))
    assert "582914" not in stored


def test_a_spaced_code_and_a_code_shaped_run_are_masked_too(member):
    raw = OTHER_PROVIDER.replace(b"Subject: 582914 is", b"Subject: 582 914 or 7730412 is")
    finding = _store(member, raw)
    assert "582 914" not in finding.subject and "7730412" not in finding.subject
    assert finding.subject.startswith("****14 or ****12 is")


def test_bidirectional_controls_are_not_stored(member):
    raw = OTHER_PROVIDER.replace(b"Subject: 582914 is your", "Subject: \u202egnp.exe is your".encode())
    raw = raw.replace(
        b"Subject:", b"Subject: =?utf-8?b?" + __import__("base64").b64encode("\u202eevil".encode()) + b"?=", 1
    )
    finding = _store(member, raw)
    assert not any(ch in finding.subject for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def test_an_unreadable_message_is_recorded_once_with_its_subject(member):
    from tests.corpus.hostile.make_hostile import cases

    raw = cases()["deep_mime_nesting"]
    detected = detect(raw)
    assert detected.category == "unreadable"
    for _ in range(2):
        record_import(member.pk, "hostile.eml", detected, message_key(detected, raw))
    finding = Finding.objects.get(owner=member)
    assert finding.category == Finding.Category.UNREADABLE
    assert finding.get_category_display() == "could not be read"
    assert finding.subject == "Microsoft account security code"
    assert "multipart" in finding.error


def test_the_sender_is_kept_as_written_with_its_display_name(member):
    """The finding page shows who the mail claims to be from: a lookalike forges the display name."""
    raw = OTHER_PROVIDER.replace(b"From: Google <", b'From: "Microsoft account team" <')
    assert _store(member, raw).sender == "Microsoft account team <no-reply@accounts.google.com>"


def test_a_code_in_the_senders_display_name_is_masked(member):
    raw = OTHER_PROVIDER.replace(b"From: Google <", b"From: Code 582914 <")
    finding = _store(member, raw)
    assert "582914" not in finding.sender
    assert finding.sender.endswith("<no-reply@accounts.google.com>")


def test_a_mail_the_pre_filter_passes_over_keeps_its_sender_too():
    raw = b"From: Shop <news@shop.example>\r\nSubject: Sale\r\n\r\nHello\r\n"
    assert detect(raw).sender == "Shop <news@shop.example>"
