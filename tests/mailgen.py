"""Messages for filling test mailboxes: real corpus code mails and lookalikes under fresh
Message-IDs, and ordinary mail of realistic sizes."""

from __future__ import annotations

import base64
import random
import re
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from tests.corpus_labels import CORPUS

CODE_MAIL = CORPUS / "ms_otp" / "en_single_use_privacy_footer_anna.eml"
CODE_MAIL_CODE = "486894"
LOOKALIKE = CORPUS / "phishing" / "single_use_lookalike_hyphen_domain.eml"

_WORDS = (
    "garden invoice meeting school holiday photos recipe football train tickets weekend "
    "birthday plumber insurance dentist library concert homework neighbour bicycle"
).split()


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


_TEXT_RNG = random.Random(1)
_TEXT = "\r\n".join(" ".join(_TEXT_RNG.choices(_WORDS, k=10)) for _ in range(20_000))

# A realistic mix for the benchmark (invented wording): newsletters, receipts, notifications and
# personal mail, with the everyday words that share letters with "code", "sign-in" and "office"
# (postcode, design, officer, signature, account statement, box office) and order numbers.
_KINDS = {
    "newsletter": (
        "Shop Weekly <news@shop.example.com>",
        [
            "Our new design collection is here",
            "Sign up for the spring workshop",
            "Box office opens Friday",
            "Dress code for the gala dinner",
            "Ten recipes for the weekend",
        ],
        "Dear reader, this week we show the new design range, the dress code for our gala and the box office hours. "
        "Unsubscribe at any time. Postcode areas 10115 and 20095 get free delivery.",
    ),
    "receipt": (
        "Billing <billing@store.example.net>",
        [
            "Your receipt from Store",
            "Order 48213 has shipped",
            "Payment received, thank you",
            "Your invoice for November",
        ],
        "Thank you for your order 4821937. Amount paid: 42.90 EUR. Your account statement is available in the app. "
        "Delivery to postcode 80331 within three working days. Questions? Our accountant answers on weekdays.",
    ),
    "notification": (
        "Calendar <noreply@calendar.example.org>",
        [
            "Reminder: dentist at 10:30",
            "Meeting with the officer moved",
            "New comment on your photo",
            "Your parcel is on its way",
            "Weekly summary of your activity",
        ],
        "This is a reminder of your appointment. The officer in charge will call you. Design review at 14:00 in "
        "room 3. Reply to this message to add a comment.",
    ),
    "personal": (
        "Anna <anna.friend@example.de>",
        [
            "Photos from the holiday",
            "Dinner on Saturday?",
            "The plumber came today",
            "Birthday plans",
            "Concert tickets",
        ],
        "Hi! The photos are attached, the signature on the card was lovely. The office party is next week, "
        "and the plumber fixed the sink. Call me on 0151 2345678 when you are back.",
    ),
}


def ordinary(n: int, rng: random.Random, realistic: bool = False) -> bytes:
    """A plain personal or newsletter mail of 1 to 40 KiB; every tenth carries a small attachment.
    Built as bytes directly: the email package is too slow for fixtures of 20,000 messages.
    realistic: one of _KINDS (everyday wording) rather than random words."""
    start = rng.randrange(0, len(_TEXT) // 2)
    body = _TEXT[start : start + rng.randint(1_000, 40_000)]
    sender = f"Friend {n} <friend{n % 97}@example.org>"
    subject = " ".join(rng.choices(_WORDS, k=4)).capitalize()
    if realistic:
        sender, subjects, opening = _KINDS[rng.choice(sorted(_KINDS))]
        subject = rng.choice(subjects)
        body = opening + "\r\n\r\n" + body
    date = format_datetime(datetime.now(timezone.utc) - timedelta(minutes=n))
    head = (
        f"From: {sender}\r\nTo: alice@example.net\r\nSubject: {subject}\r\n"
        f"Date: {date}\r\nMessage-ID: <ordinary-{n}@example.org>\r\nMIME-Version: 1.0\r\n"
    )
    if n % 10:
        return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n").encode()
    blob = base64.encodebytes(rng.randbytes(rng.randint(2_000, 30_000))).decode().replace("\n", "\r\n")
    return (
        head + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n'
        "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n--b1\r\n"
        f'Content-Type: application/pdf; name="scan{n}.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + blob
        + "--b1--\r\n"
    ).encode()


def mailbox_mix(total: int, seed: int = 7, realistic: bool = False) -> tuple[list[bytes], int, int]:
    """`total` messages: 2% code mails, 1% lookalikes, the rest ordinary (realistic: everyday
    wording, see _KINDS). Returns (messages, codes, lookalikes)."""
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
            messages.append(ordinary(n, rng, realistic))
    return messages, codes, fakes
