"""Inline forwards: the header blocks mail clients write above forwarded text, in many languages.

A forward is recognised by its shape, a From line followed within a few lines by a Subject line,
so Gmail's "---------- Forwarded message ---------", Outlook's "-----Mensaje original-----" and
Outlook's bare "De:/Enviado:/Para:/Asunto:" blocks all count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import budget
from .message import EMAIL

_KEY = r"^\*?\s*({})\s*\*?\s*:\s*(.*)$"
_FROM = re.compile(_KEY.format(r"from|de|von|van|da|od|från|fra|kimden|от|від|发件人|寄件者|差出人|보낸 사람"), re.I)
_SUBJECT = re.compile(
    _KEY.format(
        r"subject|asunto|betreff|objet|assunto|oggetto|onderwerp|temat|ämne|emne|konu|тема|主题|主旨|件名|제목"
    ),
    re.I,
)
_DATE = re.compile(
    _KEY.format(
        r"date|sent|enviado|enviada|gesendet|datum|envoyé|envoyé le|fecha|data|inviato|verzonden|wysłano|"
        r"skickat|sendt|gönderildi|tarih|отправлено|дата|надіслано|发送时间|日期|送信日時|日時|보낸 날짜"
    ),
    re.I,
)
_OTHER = re.compile(
    _KEY.format(r"to|cc|para|an|à|aan|a|do|till|til|kime|кому|收件人|抄送|宛先|받는 사람|reply-to"), re.I
)
_SEPARATOR = re.compile(r"^[-_=*\s]{3,}|.*-{3,}\s*$|^begin forwarded message", re.I)
# A separator line is short; the pattern above is quadratic on a long run of dashes, so longer lines never reach it.
_SEPARATOR_MAX = 200
# A forward of a forward of a ... : real chains are a few deep; each block costs a full reading.
MAX_FORWARDS = 25


@dataclass
class Forward:
    display: str
    address: str
    date_text: str
    subject: str
    body: str


def split_forwards(text: str) -> list[Forward]:
    """Each forwarded block in order of appearance (newest first in every client we know)."""
    lines = text.split("\n")
    starts: list[tuple[int, int, dict]] = []
    i = 0
    while i < len(lines):
        if i % 1024 == 0:
            budget.check()
        found = _FROM.match(lines[i])
        if found:
            block = _header_block(lines, i)
            if block:
                end, fields = block
                starts.append((i, end, fields))
                if len(starts) >= MAX_FORWARDS:
                    break
                i = end
                continue
        i += 1
    forwards = []
    for n, (_, end, fields) in enumerate(starts):
        stop = _marker_start(lines, starts[n + 1][0]) if n + 1 < len(starts) else len(lines)
        sender = fields.get("from", "")
        match = EMAIL.search(sender)
        address = match.group(0).lower() if match else ""
        display = sender[: match.start()] if match else sender
        forwards.append(
            Forward(
                display=display.strip(" <>\"'[]").replace("[mailto:", "").strip(),
                address=address,
                date_text=fields.get("date", ""),
                subject=fields.get("subject", ""),
                body="\n".join(lines[end:stop]).strip("\n"),
            )
        )
    return forwards


def _header_block(lines: list[str], start: int):
    fields = {"from": _FROM.match(lines[start]).group(2)}
    for j in range(start + 1, min(start + 8, len(lines))):
        line = lines[j]
        if m := _SUBJECT.match(line):
            fields["subject"] = m.group(2)
            end = j + 1
            # Some clients put To/Cc after Subject; they still belong to the block.
            while end < len(lines) and _OTHER.match(lines[end]):
                end += 1
            return end, fields
        if m := _DATE.match(line):
            fields.setdefault("date", m.group(2))
        elif not (_OTHER.match(line) or line == ""):
            return None
    return None


def _marker_start(lines: list[str], index: int) -> int:
    """Step back over the separator line (dashes, underscores, 'Forwarded message') above a block."""
    while index > 0 and (lines[index - 1] == "" or _is_separator(lines[index - 1])):
        index -= 1
        if lines[index] != "":
            break
    return index


def _is_separator(line: str) -> bool:
    return len(line) <= _SEPARATOR_MAX and _SEPARATOR.match(line) is not None
