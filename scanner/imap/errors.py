"""Errors a member can act on: which step failed, in words, with what to try next."""

from __future__ import annotations

STEPS = {
    "key": "Decrypting the stored password",
    "token": "Renewing access with the provider",
    "reconnect": "Renewing access with the provider",
    "lookup": "Finding the server",
    "connect": "Connecting",
    "tls": "Securing the connection",
    "login": "Signing in",
    "folder": "Opening the folder",
    "read": "Reading mail",
}


def describe(exc: BaseException) -> str:
    """A server's or library's error text, short and without Python's bytes quoting."""
    return str(exc).strip().strip("b'\"")[:200] or type(exc).__name__


class MailboxError(Exception):
    """A failure on one step of reaching a mailbox. `message` never holds the secret."""

    def __init__(self, step: str, message: str, hint: str = ""):
        super().__init__(message)
        self.step = step
        self.message = message
        self.hint = hint

    @property
    def is_auth(self) -> bool:
        return self.step == "login"

    @property
    def needs_reconnect(self) -> bool:
        """The provider withdrew OAuth2 access: only the member signing in again helps."""
        return self.step == "reconnect"

    def __str__(self) -> str:
        text = f"{STEPS.get(self.step, self.step)} failed: {self.message}"
        return f"{text} {self.hint}".strip()
