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

from otpdash import outbound

from .errors import MailboxError, describe
from .pinned import PinnedIMAPClient, quiet

# imapclient's imaplib logger prints every server line at DEBUG, message text and codes included.
# Dropped at the source, so no logging configuration can ever turn it on.
logging.getLogger("imapclient.imaplib").addFilter(lambda record: record.levelno > logging.DEBUG)

APP_PASSWORD_HINT = (
    "Check the username (usually the full address) and password. Gmail, Yahoo, iCloud, Fastmail and "
    "AOL need an app password, not your normal password, once two-step verification is on."
)


OAUTH_HINT = "The provider's access was refused by the mail server; sign in with the provider again (Reconnect)."


@dataclass
class Account:
    """What it takes to reach one mailbox. The secret never appears in repr or errors."""

    host: str
    port: int
    security: str  # ssl, starttls or plain
    username: str
    secret: str = field(repr=False)
    ca_pem: str = field(default="", repr=False)  # extra CA certificates to trust, PEM text
    timeout: float = 30.0
    oauth: bool = False  # the secret is an OAuth2 access token: sign in with XOAUTH2


@dataclass
class Policy:
    allow_private: bool = True
    allow_plain: bool = False


def connect(account: Account, policy: Policy | None = None) -> IMAPClient:
    """A signed-in IMAPClient, or MailboxError naming the step that failed."""
    policy = policy or Policy()
    addresses = _lookup(account.host, account.port)
    _check_policy(account, addresses, policy)
    client = _open_any(account, addresses)
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
            "lookup",
            f"The server name {host!r} could not be found.",
            "Check it for typos; your provider's help pages give the IMAP server name.",
        ) from None
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def _check_policy(account: Account, addresses, policy: Policy) -> None:
    if not policy.allow_private and not all(outbound.is_public(ip) for ip in addresses):
        raise MailboxError("lookup", f"{account.host} {outbound.REFUSED}.", outbound.ALLOW_HINT)
    if account.security == "plain" and not policy.allow_plain and not all(ip.is_loopback for ip in addresses):
        raise MailboxError(
            "tls",
            "Unencrypted IMAP would send your password in the clear, so it is only allowed to this machine.",
            "Choose SSL/TLS (port 993) or STARTTLS (port 143); the administrator can allow it "
            "with OTPDASH_ALLOW_PLAIN_IMAP=true.",
        )


def tls_context(ca_pem: str) -> ssl.SSLContext:
    """The system's CAs, or only the CA saved for this mailbox (which also spares loading the
    system store on every connection)."""
    try:
        return ssl.create_default_context(cadata=ca_pem or None)
    except (ValueError, ssl.SSLError):
        raise MailboxError(
            "tls",
            "The trusted CA certificate saved for this mailbox cannot be used.",
            "Paste the CA certificate again (PEM text).",
        ) from None


def _open_any(account: Account, addresses) -> IMAPClient:
    """Connect to the looked-up addresses in turn (IPv6 may be unreachable where IPv4 works);
    the name is never looked up again, so what passed the policy is what is reached."""
    for index, address in enumerate(addresses):
        try:
            return _open(account, str(address))
        except MailboxError as exc:
            if exc.step != "connect" or index == len(addresses) - 1:
                raise
    raise MailboxError("lookup", f"The server name {account.host!r} has no address.")


def _open(account: Account, address: str) -> IMAPClient:
    context = tls_context(account.ca_pem) if account.security != "plain" else None
    where = f"{account.host} port {account.port}"
    try:
        client = PinnedIMAPClient(
            account.host,
            address,
            port=account.port,
            ssl=account.security == "ssl",
            ssl_context=context,
            timeout=account.timeout,
        )
        quiet(client)
        if account.security == "starttls":
            if not client.has_capability("STARTTLS"):
                close(client)
                raise MailboxError("tls", f"{where} does not offer STARTTLS.", "Try SSL/TLS on port 993 instead.")
            client.starttls(context)
        return client
    except MailboxError:
        raise
    except ssl.SSLCertVerificationError as exc:
        raise MailboxError("tls", _certificate_problem(exc, account.host), _ca_hint(account)) from None
    except ssl.SSLError as exc:
        raise MailboxError(
            "tls",
            f"{where} did not answer with TLS ({exc.reason or 'handshake failed'}).",
            "Port 993 usually means SSL/TLS and port 143 STARTTLS; check that the two match.",
        ) from None
    except (socket.timeout, TimeoutError):
        raise MailboxError(
            "connect",
            f"No answer from {where} within {account.timeout:g} seconds.",
            "Check the port number, and that a firewall lets this machine reach the server.",
        ) from None
    except ConnectionRefusedError:
        raise MailboxError(
            "connect", f"{where} refused the connection.", "Check the port number (IMAP uses 993 or 143)."
        ) from None
    except OSError as exc:
        raise MailboxError("connect", f"Cannot reach {where}: {exc.strerror or exc}.") from None
    except (imaplib.IMAP4.error, IMAPClientError):
        # What the other end said is not repeated: it may be any service, and its banner is no one's business.
        raise MailboxError(
            "connect",
            f"{where} is not an IMAP server.",
            "Check the port, and whether it expects SSL/TLS or STARTTLS.",
        ) from None


def _certificate_problem(exc: ssl.SSLCertVerificationError, host: str) -> str:
    detail = exc.verify_message or "verification failed"
    if "hostname" in detail.lower() or "ip address mismatch" in detail.lower():
        return f"The server's certificate is not valid for the name {host!r} ({detail})."
    return f"The server's certificate is not trusted ({detail})."


def _ca_hint(account: Account) -> str:
    if account.ca_pem:
        return "The CA certificate saved for this mailbox did not vouch for it either; check that it is the server's."
    return "If the server uses its own certificate authority, paste that CA's certificate to trust it."


def _sign_in(client: IMAPClient, account: Account) -> None:
    try:
        if account.oauth:
            client.oauth2_login(account.username, account.secret)
        elif (account.username + account.secret).isascii():
            client.login(account.username, account.secret)
        elif client.has_capability("AUTH=PLAIN"):
            # IMAP LOGIN takes ASCII only; AUTHENTICATE PLAIN carries UTF-8 (RFC 4616).
            client.plain_login(account.username, account.secret)
        else:
            raise MailboxError(
                "login",
                "This server does not offer a sign-in that accepts characters outside ASCII in the "
                "username or password.",
                "Use an app password made of plain letters and digits.",
            )
    except LoginError as exc:
        hint = OAUTH_HINT if account.oauth else APP_PASSWORD_HINT
        raise MailboxError("login", f"The server refused the sign-in ({describe(exc)}).", hint) from None
    except (socket.timeout, TimeoutError, OSError, imaplib.IMAP4.abort) as exc:
        raise MailboxError("login", f"The connection dropped while signing in ({describe(exc)}).") from None
