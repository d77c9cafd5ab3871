"""The detection core: raw message bytes in, a Finding out. Imports nothing from Django."""

from .engine import detect, worth_reading_headers, worth_reading_many
from .finding import CATEGORIES, Finding, SignIn, mask_code, mask_codes_in

__all__ = [
    "detect",
    "worth_reading_headers",
    "worth_reading_many",
    "Finding",
    "SignIn",
    "CATEGORIES",
    "mask_code",
    "mask_codes_in",
]
