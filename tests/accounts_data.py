"""Corpus mails for account tests, and a way to deliver one to another address."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from tests.corpus_labels import CORPUS

NIGHT = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)  # quiet hours: a code then is not the member's
PETER_CODE = CORPUS / "ms_otp" / "de_single_use_peter.eml"  # greets peter.weber@example.com in full
PETER_ALERT = CORPUS / "ms_security" / "de_unusual_signin_peter.eml"  # masks it as pe**r@example.com
MARC_CODE = CORPUS / "ms_otp" / "en_security_code_classic_marc.eml"  # ma**s@example.org
LUCIA_CODE = CORPUS / "ms_otp" / "es_security_code_lucia_01.eml"  # lu**z@example.org
LUCIA_INFO_ADDED = CORPUS / "ms_security" / "en_security_info_added_lucia.eml"


def delivered_to(path, address: str) -> bytes:
    """The mail as if it had reached `address` (a family mailbox, say): To and Delivered-To rewritten."""
    raw = path.read_bytes()
    return re.sub(rb"(?mi)^(To|Delivered-To):[^\r\n]*", lambda m: m.group(1) + b": " + address.encode(), raw)
