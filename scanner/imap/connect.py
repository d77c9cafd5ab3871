"""Reach a mailbox one step at a time (name lookup, TCP, TLS, sign-in) and say which step failed."""

from __future__ import annotations

import imaplib
import ipaddress
import logging
import socket
import ssl
from dataclasses import dataclass, field

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from .errors import MailboxError, describe

# imapclient's imaplib logger prints every server line at DEBUG, message text and codes included.
# Dropped at the source, so no logging configuration can ever turn it on.
logging.getLogger("imapclient.imaplib").addFilter(lambda record: record.levelno > logging.DEBUG)

APP_PASSWORD_HINT = (
    "Check the username (usually the full address) and password. Gmail, Yahoo, iCloud, Fastmail and "
    "AOL need an app password, not your normal password, once two-step verification is on."
)


@dataclass
class Account:
    """What it takes to reach one mailbox. The secret never appears in repr or errors."""

    host: str
    port: int
    security: str  # ssl, starttls or plain
    username: str
    secret: str = field(repr=False)
    ca_file: str = ""
    timeout: float = 30.0


@dataclass
class Policy:
    allow_private: bool = True
    allow_plain: bool = False


def connect(account: Account, policy: Policy | None = None) -> IMAPClient:
    """A signed-in IMAPClient, or MailboxError naming the step that failed."""
    policy = policy or Policy()
    addresses = _lookup(account.host, account.port)
    _check_policy(account, addresses, policy)
    client = _open(account)
    try:
        _sign_in(client, account)
    except BaseException:
        close(client)
        raise
    return client


def close(client: IMAPClient | None) -> None:
    """Log out politely; a connection that is already gone is simply dropped."""
    if client is None:
        return
    try:
        client.logout()
    except Exception:
        try:
            client.shutdown()
        except Exception:
            pass


def _lookup(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    if not host or any(ch.isspace() for ch in host):
        raise MailboxError("lookup", "The server name is empty or contains spaces.")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise MailboxError(
            "lookup", f"The server name {host!r} could not be found.",
            "Check it for typos; your provider's help pages give the IMAP server name.",
        ) from None
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def _check_policy(account: Account, addresses, policy: Policy) -> None:
    if not policy.allow_private and any(not ip.is_global for ip in addresses):
        raise MailboxError(
            "lookup", f"{account.host} points to a private or local network address, which this installation refuses.",
            "The administrator can allow it with OTPDASH_ALLOW_PRIVATE_MAIL_HOSTS=true.",
        )
    if account.security == "plain" and not policy.allow_plain and not all(ip.is_loopback for ip in addresses):
        raise MailboxError(
            "tls", "Unencrypted IMAP would send your password in the clear, so it is only allowed to this machine.",
            "Choose SSL/TLS (port 993) or STARTTLS (port 143); the administrator can allow it "
            "with OTPDASH_ALLOW_PLAIN_IMAP=true.",
        )


def tls_context(ca_file: str) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=ca_file or None)
    except (OSError, ssl.SSLError) as exc:
        raise MailboxError(
            "tls", f"The CA file {ca_file!r} cannot be used: {getattr(exc, 'strerror', None) or exc}.",
            "Give the path of a PEM certificate file readable by OTP Dash.",
        ) from None


def _open(account: Account) -> IMAPClient:
    context = tls_context(account.ca_file) if account.security != "plain" else None
    where = f"{account.host} port {account.port}"
    try:
        client = IMAPClient(
            account.host, account.port, ssl=account.security == "ssl", ssl_context=context, timeout=account.timeout
        )
        client._imap.debug = 0  # imaplib would format every line for a log the filter above drops
        if account.security == "starttls":
            if not client.has_capability("STARTTLS"):
                close(client)
                raise MailboxError(
                    "tls", f"{where} does not offer STARTTLS.", "Try SSL/TLS on port 993 instead."
                )
            client.starttls(context)
        return client
    except MailboxError:
        raise
    except ssl.SSLCertVerificationError as exc:
        raise MailboxError("tls", _certificate_problem(exc, account.host), _ca_hint(account)) from None
    except ssl.SSLError as exc:
        raise MailboxError(
            "tls", f"{where} did not answer with TLS ({exc.reason or 'handshake failed'}).",
            "Port 993 usually means SSL/TLS and port 143 STARTTLS; check that the two match.",
        ) from None
    except (socket.timeout, TimeoutError):
        raise MailboxError(
            "connect", f"No answer from {where} within {account.timeout:g} seconds.",
            "Check the port number, and that a firewall lets this machine reach the server.",
        ) from None
    except ConnectionRefusedError:
        raise MailboxError(
            "connect", f"{where} refused the connection.", "Check the port number (IMAP uses 993 or 143)."
        ) from None
    except OSError as exc:
        raise MailboxError("connect", f"Cannot reach {where}: {exc.strerror or exc}.") from None
    except (imaplib.IMAP4.error, IMAPClientError) as exc:
        raise MailboxError(
            "connect", f"{where} did not answer like an IMAP server ({describe(exc)}).",
            "Check the port, and whether it expects SSL/TLS or STARTTLS.",
        ) from None


def _certificate_problem(exc: ssl.SSLCertVerificationError, host: str) -> str:
    detail = exc.verify_message or "verification failed"
    if "hostname" in detail.lower() or "ip address mismatch" in detail.lower():
        return f"The server's certificate is not valid for the name {host!r} ({detail})."
    return f"The server's certificate is not trusted ({detail})."


def _ca_hint(account: Account) -> str:
    if account.ca_file:
        return f"The CA file {account.ca_file!r} did not vouch for it either; check that it is the server's CA."
    return "If the server uses its own certificate authority, give that CA's certificate file to trust it."


def _sign_in(client: IMAPClient, account: Account) -> None:
    try:
        client.login(account.username, account.secret)
    except LoginError as exc:
        raise MailboxError("login", f"The server refused the sign-in ({describe(exc)}).", APP_PASSWORD_HINT) from None
    except (socket.timeout, TimeoutError, OSError, imaplib.IMAP4.abort) as exc:
        raise MailboxError("login", f"The connection dropped while signing in ({describe(exc)}).") from None
