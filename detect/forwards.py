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
# A From line anywhere, quoted or not: the same keys as _FROM, with any ">" quoting before them.
_ANY_FROM = re.compile(
    r"^[> ]*\*?\s*(?:from|de|von|van|da|od|från|fra|kimden|от|від|发件人|寄件者|差出人|보낸 사람)\s*\*?\s*:",
    re.I | re.M,
)
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
_MAX_BLOCK_LINES = 10
# Lines by which mail clients announce a forwarded or quoted mail, in the languages they use.
_ANNOUNCED = re.compile(
    r"forwarded message|original message|begin forwarded message|weitergeleitete nachricht|"
    r"ursprüngliche nachricht|message transféré|message d'origine|mensaje reenviado|mensaje original|"
    r"mensagem encaminhada|mensagem original|messaggio inoltrato|messaggio originale|doorgestuurd bericht|"
    r"oorspronkelijk bericht|przekazana wiadomość|vidarebefordrat meddelande|пересылаемое сообщение|"
    r"转发的邮件|原始邮件|転送されたメッセージ|전달된 메시지",
    re.I,
)


@dataclass
class Forward:
    display: str
    address: str
    date_text: str
    subject: str
    body: str


def split_forwards(text: str) -> list[Forward]:
    """Each forwarded block in order of appearance (newest first in every client we know). A block is
    a run of header lines holding at least From and Subject, in any order (Thunderbird writes Subject
    first), quoted with ">" or not."""
    if not _ANY_FROM.search(text):
        return []  # a block needs a From line: one search over the text rules most mail out
    lines = [_unquote(line) for line in text.split("\n")]
    starts: list[tuple[int, int, dict]] = []
    i = 0
    while i < len(lines):
        if i % 1024 == 0:
            budget.check()
        block = _header_block(lines, i) if _is_header_line(lines[i]) else None
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
    """(end, fields) of the header lines from `start` on, when they name at least a sender and a subject."""
    fields: dict[str, str] = {}
    end = start
    while end < len(lines) and end - start < _MAX_BLOCK_LINES:
        line = lines[end]
        if (m := _FROM.match(line)) and "from" not in fields:
            fields["from"] = m.group(2)
        elif (m := _SUBJECT.match(line)) and "subject" not in fields:
            fields["subject"] = m.group(2)
        elif (m := _DATE.match(line)) and "date" not in fields:
            fields["date"] = m.group(2)
        elif not _OTHER.match(line):
            break
        end += 1
    if "from" in fields and "subject" in fields:
        return end, fields
    return None


def _is_header_line(line: str) -> bool:
    return bool(_FROM.match(line) or _SUBJECT.match(line) or _DATE.match(line))


def _unquote(line: str) -> str:
    """A line quoted with ">" (a reply or forward that quotes the mail) as the mail had it."""
    return line.lstrip("> ") if line.startswith(">") else line


def _marker_start(lines: list[str], index: int) -> int:
    """Step back over the separator line (dashes, underscores, 'Forwarded message') above a block."""
    while index > 0 and (lines[index - 1] == "" or _is_separator(lines[index - 1])):
        index -= 1
        if lines[index] != "":
            break
    return index


def _is_separator(line: str) -> bool:
    return len(line) <= _SEPARATOR_MAX and _SEPARATOR.match(line) is not None


def quotes_a_mail(subject_is_forward: bool, text: str) -> bool:
    """Whether this mail forwards or quotes another one, even where its header block cannot be read:
    a forward prefix on the subject, a client's "Forwarded message" line, or several quoted lines."""
    if subject_is_forward:
        return True
    quoted = 0
    for count, line in enumerate(text.split("\n")):
        if count > 5000:
            break
        if len(line) <= _SEPARATOR_MAX and _ANNOUNCED.search(line):
            return True
        quoted += line.startswith(">")
        if quoted >= 3:
            return True
    return False
