"""A link as a QR code, drawn as inline SVG: no image file to serve, no outside service that would see
the link, and nothing the strict CSP refuses (no style attribute, no script)."""

from __future__ import annotations

import qrcode
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from qrcode.image.svg import SvgPathFillImage


def qr_svg(text: str, label: str) -> SafeString:
    """`text` as a QR code: one path on a white square (so it scans on a dark page too), with the
    standard quiet zone, named by `label` for screen readers."""
    # Medium error correction: a phone still reads it from a smudged or glaring screen.
    image = qrcode.make(text, image_factory=SvgPathFillImage, error_correction=qrcode.constants.ERROR_CORRECT_M)
    markup = image.to_string(encoding="unicode")
    name = escape(label)
    opening = markup.index(">")
    # Safe: the library's own markup of a path, and the only text added is escaped.
    return mark_safe(f'{markup[:opening]} role="img" aria-label="{name}"><title>{name}</title>{markup[opening + 1 :]}')
