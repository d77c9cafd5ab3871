"""Device-code phishing: a mail that asks the reader to type a code at Microsoft's device login page.

Microsoft's device sign-in (microsoft.com/devicelogin, aka.ms/devicelogin) signs in whichever
device showed the code: typed by the victim, a code the attacker's machine obtained signs the
attacker in. Microsoft never mails such a code, so a mail that names the page next to a code of
its shape (nine letters and digits, as Microsoft shows them) is a lure, whoever sent it. A mail
that only explains the trick (a newsletter, a warning from IT) names the page but carries no code.
"""

from __future__ import annotations

import itertools
import re

from . import reason_texts

# The page, written as a link or as text ("go to microsoft.com/devicelogin").
_PAGE = re.compile(
    r"(?:microsoft\.com/devicelogin|aka\.ms/devicelogin|login\.microsoftonline\.com/common/oauth2/deviceauth"
    r"|login\.microsoft\.com/device)",
    re.I,
)
# A device code: 8 or 9 capital letters and digits with at least one of each, standing alone
# (lookaheads bounded by the length, so nothing backtracks beyond nine characters).
_DEVICE_CODE = re.compile(r"(?<![A-Za-z0-9])(?=[A-Z0-9]{0,8}[0-9])(?=[A-Z0-9]{0,8}[A-Z])[A-Z0-9]{8,9}(?![A-Za-z0-9])")
_NEAR = 600  # characters either side of the page's name where its code is written
_MAX_MENTIONS = 20
TEMPLATE = "device_code_lure"


def lure(text: str, links: list[str]) -> str | None:
    """The reason this mail is a device-code lure, or None."""
    # Every page name holds "device": a substring test spares the case-insensitive search on the
    # many mails that name none.
    if "device" not in text.lower() and not any("device" in link.lower() for link in links[:200]):
        return None
    mentions = [m.start() for m in itertools.islice(_PAGE.finditer(text), _MAX_MENTIONS)]
    if not mentions and any(_PAGE.search(link) for link in links[:200]):
        mentions = [0]
        text = text[: _NEAR * 4]
    for at in mentions:
        window = text[max(0, at - _NEAR) : at + _NEAR]
        code = _DEVICE_CODE.search(window)
        if code:
            return reason_texts.DEVICE_CODE_LURE
    return None
