"""The one place that reaches into imapclient's and imaplib's internals; tests/test_mailbox_connect.py
fails loudly if an upgrade changes them.

- IMAPClient connected to one address chosen in advance, with TLS still checked against the name
  (`IMAPClient._create_IMAP4`, `IMAP4._create_socket`): the address is the one that passed the
  private-address check; resolving the name a second time to connect would let a DNS answer that
  changes in between (DNS rebinding) reach another machine.
- imaplib underneath (`IMAPClient._imap`) for the two commands that run over every message of a
  mailbox, whose answers imapclient's pure-Python parser would read slower than the server sends.
"""

from __future__ import annotations

import imaplib
import socket

from imapclient import IMAPClient, imap4, tls


class _PinnedTLS(tls.IMAP4_TLS):
    def __init__(self, host: str, port: int, address: str, ssl_context, timeout):
        self._pinned_address = address
        super().__init__(host, port, ssl_context, timeout)

    def _create_socket(self, timeout=None):
        sock = socket.create_connection((self._pinned_address, self.port), timeout=timeout or self._timeout)
        return tls.wrap_socket(sock, self.ssl_context, self.host)  # verified against the name, not the address


class _PinnedPlain(imap4.IMAP4WithTimeout):
    def __init__(self, host: str, port: int, address: str, timeout):
        self._pinned_address = address
        super().__init__(host, port, timeout)

    def _create_socket(self, timeout=None):
        return socket.create_connection((self._pinned_address, self.port), timeout or self._timeout)


class PinnedIMAPClient(IMAPClient):
    """IMAPClient(host, ...) that connects to `address`; STARTTLS and TLS verify `host`."""

    def __init__(self, host: str, address: str, **kwargs):
        self._pinned_address = address
        super().__init__(host, **kwargs)

    def _create_IMAP4(self):
        timeout = getattr(self._timeout, "connect", None)
        if self.ssl:
            return _PinnedTLS(self.host, self.port, self._pinned_address, self.ssl_context, timeout)
        return _PinnedPlain(self.host, self.port, self._pinned_address, timeout)


def uid_command(client: IMAPClient, command: str, *args) -> tuple[str, list]:
    """imaplib's UID command on the client's connection: (status, raw response lines)."""
    return _imaplib_of(client).uid(command, *args)


def quiet(client: IMAPClient) -> None:
    """imaplib would format every line for a debug log that nobody reads."""
    _imaplib_of(client).debug = 0


def _imaplib_of(client: IMAPClient) -> imaplib.IMAP4:
    return client._imap
