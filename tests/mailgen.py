"""Messages for filling test mailboxes: real corpus code mails and lookalikes under fresh
Message-IDs, and ordinary mail of realistic sizes."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from tests.corpus_labels import CORPUS

CODE_MAIL = CORPUS / "ms_otp" / "en_single_use_privacy_footer_anna.eml"
CODE_MAIL_CODE = "486894"
LOOKALIKE = CORPUS / "phishing" / "single_use_lookalike_hyphen_domain.eml"

_WORDS = ("garden invoice meeting school holiday photos recipe football train tickets weekend "
          "birthday plumber insurance dentist library concert homework neighbour bicycle").split()


def with_message_id(raw: bytes, message_id: str) -> bytes:
    """The same message under another Message-ID (added when it has none)."""
    header_end = raw.find(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.find(b"\n\n")
    head, body = raw[:header_end], raw[header_end:]
    new = f"Message-ID: {message_id}".encode()
    head, count = re.subn(rb"(?mi)^Message-ID:[^\r\n]*(\r?\n[ \t][^\r\n]*)*", new, head, count=1)
    if not count:
        head = new + b"\r\n" + head
    return head + body


def code_mail(n: int) -> bytes:
    return with_message_id(CODE_MAIL.read_bytes(), f"<code-{n}@otpdash.test>")


def lookalike(n: int) -> bytes:
    return with_message_id(LOOKALIKE.read_bytes(), f"<lookalike-{n}@otpdash.test>")


def ordinary(n: int, rng: random.Random) -> bytes:
    """A plain personal or newsletter mail, 1 to 40 KiB, sometimes with a small attachment."""
    msg = EmailMessage()
    msg["From"] = f"Friend {n} <friend{n % 97}@example.org>"
    msg["To"] = "alice@example.net"
    msg["Subject"] = " ".join(rng.choice(_WORDS) for _ in range(4)).capitalize()
    msg["Date"] = format_datetime(datetime.now(timezone.utc) - timedelta(minutes=n))
    msg["Message-ID"] = make_msgid(idstring=f"ordinary{n}", domain="example.org")
    words = rng.randint(150, 6000)
    msg.set_content(" ".join(rng.choice(_WORDS) for _ in range(words)))
    if n % 10 == 0:
        msg.add_attachment(rng.randbytes(rng.randint(2_000, 30_000)), maintype="application",
                           subtype="octet-stream", filename=f"scan{n}.pdf")
    return msg.as_bytes()


def mailbox_mix(total: int, seed: int = 7) -> tuple[list[bytes], int, int]:
    """`total` messages: 2% code mails, 1% lookalikes, the rest ordinary. Returns (messages, codes, lookalikes)."""
    rng = random.Random(seed)
    messages, codes, fakes = [], 0, 0
    for n in range(total):
        if n % 50 == 25:
            messages.append(code_mail(n))
            codes += 1
        elif n % 100 == 60:
            messages.append(lookalike(n))
            fakes += 1
        else:
            messages.append(ordinary(n, rng))
    return messages, codes, fakes
