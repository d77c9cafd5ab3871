"""Every wording of a reason on a finding, as a template with named placeholders.

Reasons are stored in English (Finding.reasons); pages translate them when shown by matching a
stored reason against these templates (scanner/reason_display.py). Detection imports no Django,
so the templates are marked with N_, an identity function that makemessages knows as a keyword.
A template's own words are plain text; "{name}" is a value filled in (an address, a domain).
"""

from __future__ import annotations

import string

_MARKED: list[str] = []


def N_(text: str) -> str:
    """Marks a reason template for the message catalogues; the English stays as written."""
    _MARKED.append(text)
    return text


# Who vouched for a sender's "pass" (Finding.vouched_by), and the reason that names each.
VOUCHED_RECEIVER = "the receiving server"
VOUCHED_LIST = "the list's own verdict, in an ARC set the receiving server checked"
VOUCHED_DKIM = "its DKIM signature by {signer}, checked by OTP Dash"
VOUCHED_SEAL = "the receiving server's own ARC seal, checked by OTP Dash"
VERIFIED_BY_RECEIVER = N_("sender verified by the receiving server")
VERIFIED_BY_LIST = N_("sender verified by the list's own verdict, in an ARC set the receiving server checked")
VERIFIED_BY_DKIM = N_("sender verified by its DKIM signature by {signer}, checked by OTP Dash")
VERIFIED_BY_SEAL = N_("sender verified by the receiving server's own ARC seal, checked by OTP Dash")
VERIFIED_BY = {
    VOUCHED_RECEIVER: VERIFIED_BY_RECEIVER,
    VOUCHED_LIST: VERIFIED_BY_LIST,
    VOUCHED_DKIM: VERIFIED_BY_DKIM,
    VOUCHED_SEAL: VERIFIED_BY_SEAL,
}
VERIFIED_BY_OTHER = "sender verified by {voucher}"  # never made: every voucher is one of the above
NOT_VERIFIABLE = N_("sender could not be verified (no authentication results for the original)")
AUTHENTICATION = N_("sender authentication: {result}")

# Mail that could not be read.
TOO_MANY_MULTIPARTS = N_("this message has more than {limit} multipart sections")
TOO_MANY_DELIMITERS = N_("this message has more than {limit} part delimiters")
OVER_BUDGET = N_("this message could not be read within its budget of {seconds} s of processing")
NESTED_TOO_DEEPLY = N_("this message has parts nested too deeply to read")
INTERNAL_ERROR = N_("this message could not be read (internal error: {error})")

# How the mail reached the mailbox.
JUNK_DMARC_FAIL = N_("the mail server put it in Junk and its verdict says dmarc=fail")
ATTACHED_BY = N_("forwarded as an attachment by {sender}")
ATTACHED_BY_UNKNOWN = N_("forwarded as an attachment by unknown sender")
RELAYED_BY_LIST = N_("relayed by the list {list}")
FORWARDED_BY = N_("forwarded by {sender}; the original's headers were not kept")
FORWARDED_BY_UNKNOWN = N_("forwarded by unknown sender; the original's headers were not kept")
FORWARDED_INLINE_BY = N_("forwarded inline by {sender}")
FORWARDED_INLINE_BY_UNKNOWN = N_("forwarded inline by unknown sender")

# What the mail is.
OTHER_CODE = N_("one-time code from {provider}")
MICROSOFT_TEMPLATE = N_("{template} ({language}) from {sender}")
MICROSOFT_TEMPLATE_UNKNOWN = N_("{template} ({language}) from unknown sender")
QUOTES_MICROSOFT = N_("quotes Microsoft's wording in a conversation; its sender does not claim to be Microsoft")
UNVERIFIED_CODE = N_("looks like a Microsoft code, but nothing vouches for its sender: not counted as one")
DEVICE_CODE_LURE = N_(
    "asks you to enter a code at Microsoft's device login page: typing it there signs the sender "
    "in to your account (device-code phishing); Microsoft never mails such a code"
)
WAVE_VOUCHED = N_("counted as a Microsoft code: a code of the same wave, for {account}, was verified")
WAVE_VOUCHED_SAME_ACCOUNT = N_(
    "counted as a Microsoft code: a code of the same wave, for the same account, was verified"
)

# Tells of impersonation.
ONMICROSOFT_TENANT = N_("sender is a *.onmicrosoft.com tenant, not Microsoft")
PUNYCODE_LOOKALIKE = N_("punycode lookalike domain {domain} renders as {shown}")
LOOKALIKE_NAME = N_("lookalike domain {domain} contains Microsoft's name")
LOOKALIKE_IMITATES = N_("lookalike domain {domain} imitates microsoft")
DISPLAY_HOMOGLYPHS = N_("display name imitates Microsoft with look-alike characters ({name})")
DISPLAY_SHOWS_OTHER = N_("display name shows {shown} but the mail is from {address}")
REPLAYED_SIGNATURE = N_("Microsoft's DKIM signature replayed under an altered From")
WORDING_FROM = N_("Microsoft account wording from {domain}, not Microsoft's sender")
WORDING_FROM_UNKNOWN = N_("Microsoft account wording from an unknown sender, not Microsoft's sender")
DISPLAY_CLAIMS = N_("display name claims Microsoft but the mail is from {domain}")
DISPLAY_CLAIMS_NOBODY = N_("display name claims Microsoft but the mail is from nobody")
AUTH_FAILED = N_("From claims {domain} but the receiving server's authentication failed")
NOT_AUTHENTICATED = N_("From claims {domain} but the mail is not authenticated")
REPLY_TO_DIFFERS = N_("Reply-To {address} differs from the sender")
ASKS_FOR_CODE = N_("asks for the code or a call, which Microsoft never does")
TENANT_LURE = N_("genuine Microsoft sender abused: tenant name carries a lure ({tenant})")
CALLBACK_LURE = N_("genuine Microsoft sender abused: a name or title someone chose carries a callback lure ({text})")
URGENCY = N_("urgency or threat")
MAILTO_LINK = N_("mailto call to action ({address})")
FOREIGN_LINK = N_("link to non-Microsoft site {host}")


def pieces(template: str) -> tuple[list[str], list[str]]:
    """A template's literal parts and value names: literals[0] names[0] literals[1] ... literals[-1]."""
    literals, names = [""], []
    for literal, name, _, _ in string.Formatter().parse(template):
        literals[-1] += literal
        if name is not None:
            names.append(name)
            literals.append("")
    return literals, names


def names(template: str) -> list[str]:
    return pieces(template)[1]


def match(template: str, text: str) -> dict[str, str] | None:
    """The values that fill template to give text exactly, or None. Each literal is found once,
    left to right, with str.startswith, str.find and str.endswith: no regular expression, no
    backtracking, linear in the text whatever an attacker put in a value. The last value runs to
    the template's closing words at the end of the text, so it may hold anything; a value before
    it ends at the first occurrence of the words that follow (a domain, an address or an id)."""
    literals, keys = pieces(template)
    if not keys:
        return {} if text == template else None
    if not text.startswith(literals[0]):
        return None
    values: dict[str, str] = {}
    at = len(literals[0])
    for key, following in zip(keys[:-1], literals[1:-1], strict=True):
        end = text.find(following, at) if following else -1
        if end < 0:
            return None
        values[key] = text[at:end]
        at = end + len(following)
    tail = len(text) - len(literals[-1])
    if tail < at or not text.endswith(literals[-1]):
        return None
    values[keys[-1]] = text[at:tail]
    return values


def identify(text: str) -> tuple[str, dict[str, str]] | None:
    """The template a stored reason was made from, and its values; None for an unknown wording."""
    for template in TEMPLATES:
        values = match(template, text)
        if values is not None:
            return template, values
    return None


# Every reason template, in the order a stored reason is matched: templates with fewer values
# first, so "forwarded by unknown sender" is not read as a forward by someone of that name.
TEMPLATES: tuple[str, ...] = tuple(sorted(_MARKED, key=lambda text: (len(names(text)), -len(text))))
