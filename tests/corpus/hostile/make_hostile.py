"""Hostile mail for the detector and the scanner: each message is crafted to make a naive reader
take super-linear time or memory. All wording here is invented; only the shapes matter.

    python tests/corpus/hostile/make_hostile.py OUTDIR     # writes OUTDIR/<name>.eml

Each message passes the header pre-filter (a Microsoft-looking subject and sender), so a scanner
reads it whole. Sizes stay at or under the scanner's per-part read limit (2 MiB).
"""

from __future__ import annotations

import sys
from pathlib import Path

SIZE = 2 * 1024 * 1024 - 64 * 1024  # room for the headers under the 2 MiB read limit


def _headers(subject: str = "Microsoft account security code", extra: str = "") -> bytes:
    return (
        "From: Microsoft account team <account-security-noreply@accountprotection.microsoft.com>\r\n"
        "To: someone@example.org\r\n"
        f"Subject: {subject}\r\n"
        "Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n"
        f"Message-ID: <hostile-{abs(hash(subject + extra)) % 10**9}@invalid>\r\n"
        f"{extra}"
        "MIME-Version: 1.0\r\n"
    ).encode()


def _single(content_type: str, body: bytes, subject: str = "Microsoft account security code") -> bytes:
    return _headers(subject) + f"Content-Type: {content_type}; charset=utf-8\r\n\r\n".encode() + body


def _repeat(piece: str, size: int = SIZE) -> bytes:
    return (piece * (size // len(piece) + 1)).encode()[:size]


def _nested_mime(depth: int) -> bytes:
    out = [_headers()]
    for level in range(depth):
        out.append(f'Content-Type: multipart/mixed; boundary="b{level}"\r\n\r\n--b{level}\r\n'.encode())
    out.append(b"Content-Type: text/plain\r\n\r\nSecurity code: 123456\r\n")
    for level in reversed(range(depth)):
        out.append(f"--b{level}--\r\n".encode())
    return b"".join(out)


def _many_parts(count: int) -> bytes:
    parts = [_headers(), b'Content-Type: multipart/mixed; boundary="p"\r\n\r\n']
    parts += [b"--p\r\nContent-Type: text/plain\r\n\r\nx\r\n"] * count
    parts.append(b"--p--\r\n")
    return b"".join(parts)


def _many_header_lines(count: int) -> bytes:
    return _headers(extra="".join(f"X-Filler-{i % 97}: v\r\n" for i in range(count))) + b"\r\nSecurity code: 123456\r\n"


def cases() -> dict[str, bytes]:
    """name -> raw message."""
    return {
        # The reported one: an opened <style> and then "<script " over and over (188 KiB and 2 MiB).
        "style_then_scripts_188k": _single("text/html", b"<style>" + _repeat("<script ", 188 * 1024)),
        "style_then_scripts_2m": _single("text/html", b"<style>" + _repeat("<script ")),
        "megabytes_of_lt": _single("text/html", _repeat("<")),
        "unclosed_tags": _single("text/html", _repeat("<a")),
        "unclosed_comments": _single("text/html", _repeat("<!--")),
        "nested_quotes": _single("text/html", b'<a href="' + _repeat("'\"")),
        "deep_html_nesting": _single("text/html", _repeat("<div>") + b"Security code: 123456"),
        "deep_inline_nesting": _single("text/html", _repeat("<b><i>")),
        "many_attributes": _single("text/html", b"<a " + _repeat("b=c ")),
        "entity_runs": _single("text/html", _repeat("&#")),
        "deep_mime_nesting": _nested_mime(5000),
        "many_mime_parts": _many_parts(60000),
        "million_header_lines": _many_header_lines(1_000_000),
        "encoded_word_runs_in_subject": _headers(subject="=?utf-8?q?" * 200_000) + b"\r\nSecurity code: 123456\r\n",
        "long_word_without_at": _single("text/plain", b"Microsoft account\n" + _repeat("a")),
        "long_local_parts": _single("text/plain", b"Microsoft account\n" + _repeat("a.a+" * 40 + "@")),
        "colon_digit_line": _single("text/plain", b"Microsoft account\n" + _repeat(": 123456 ")),
        "form_feed_line": _single("text/plain", b"Microsoft account\n" + _repeat("\x0c") + b"from: x\n"),
        "dash_separator_line": _single("text/plain", _repeat("-")[:-1] + b"x\nFrom: a@b.example\nSubject: s\n"),
        "masked_hint_stars": _single("text/plain", b"Microsoft account\nab" + _repeat("*")),
        "many_forward_blocks": _single("text/plain", _repeat("From: a@b.example\nSubject: Microsoft account\n")),
        "base64_garbage": _headers()
        + b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + _repeat("!@#$=\r\n"),
        "qp_garbage": _headers()
        + b"Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        + _repeat("=\r\n=3C"),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, raw in cases().items():
        (out / f"{name}.eml").write_bytes(raw)
    print(f"wrote {len(cases())} messages to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
