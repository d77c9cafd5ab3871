"""A receiver's Junk placement plus dmarc=fail is a fail, even where its header could not be
attributed to it. The mail is the corpus's genuine code mail with its border line rewritten to name
no receiver and its verdict changed to the one a spoof gets (both changes made here)."""

from __future__ import annotations

import pytest

from detect import detect
from detect.receivers import Receiver
from scanner.models import Finding
from scanner.scanning import scan_mailbox
from tests.test_receiver_context import unnamed

FAIL = b"dmarc=fail (p=REJECT sp=REJECT dis=NONE) header.from=accountprotection.microsoft.com"


def spoof() -> bytes:
    raw = unnamed()
    start = raw.index(b"Authentication-Results: mx.google.com;")
    end = raw.index(b"ARC-Seal: i=1", start)
    return raw[:start] + b"Authentication-Results: mx.google.com; " + FAIL + b"\r\n" + raw[end:]


def test_in_junk_an_unattributed_dmarc_fail_is_a_fail():
    assert detect(spoof()).category == "unverified"
    finding = detect(spoof(), receiver=Receiver(junk=True))
    assert (finding.category, finding.sender_auth) == ("phishing", "fail")
    assert "the mail server put it in Junk and its verdict says dmarc=fail" in finding.reasons


def test_junk_alone_is_no_verdict():
    finding = detect(unnamed(), receiver=Receiver(junk=True))
    assert finding.category == "unverified"  # still nobody's verdict: Junk alone says nothing of the sender


@pytest.mark.django_db
def test_a_scan_tells_the_detector_which_folder_is_junk(dovecot, member, make_mailbox):
    dovecot.append([spoof()], folder="Junk")
    dovecot.append([spoof().replace(b"Message-ID: <", b"Message-ID: <inbox-", 1)])
    scan_mailbox(make_mailbox(member))
    assert sorted(Finding.objects.values_list("category", flat=True)) == ["phishing", "unverified"]
