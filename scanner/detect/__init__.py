"""The detection core: raw message bytes in, a Finding out. Imports nothing from Django."""

from .engine import detect
from .finding import CATEGORIES, Finding, SignIn, mask_code

__all__ = ["detect", "Finding", "SignIn", "CATEGORIES", "mask_code"]
