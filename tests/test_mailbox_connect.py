""" "Test connection" against a real Dovecot: each failing step is named in words a member can act on."""

from __future__ import annotations

import pytest

from mailboxes.checks import check_connection
from scanner.imap.connect import Account, Policy
from tests.dovecot import free_port


def account(dovecot, security="ssl", user="alice", secret=None, ca=True, host="127.0.0.1", port=None):
    if port is None:
        port = dovecot.imaps_port if security == "ssl" else dovecot.imap_port
    return Account(
        host=host,
        port=port,
        security=security,
        username=user,
        secret=dovecot.users[user] if secret is None else secret,
        ca_pem=dovecot.ca_file.read_text() if ca else "",
        timeout=5,
    )


def failed_step(result):
    assert not result.ok
    assert [s.ok for s in result.steps] == [True] * (len(result.steps) - 1) + [False]
    return result.steps[-1]


@pytest.mark.parametrize("security", ["ssl", "starttls", "plain"])
def test_every_security_mode_reaches_inbox_and_junk(dovecot, security):
    dovecot.append([b"Subject: hi\r\n\r\nx\r\n"] * 2)
    result = check_connection(account(dovecot, security), Policy())
    assert result.ok, result.error
    assert result.folders == ["INBOX", "Junk"]
    assert result.steps[-2].name == "Opening INBOX" and result.steps[-2].detail == "2 messages"
    names = [s.name for s in result.steps]
    assert ("Securing the connection" in names) == (security != "plain")


def test_a_self_signed_certificate_is_refused_until_its_ca_is_given(dovecot):
    step = failed_step(check_connection(account(dovecot, ca=False), Policy()))
    assert step.name == "Securing the connection"
    assert "certificate is not trusted" in step.detail and "certificate authority" in step.detail
    assert check_connection(account(dovecot, ca=True), Policy()).ok


def test_starttls_checks_the_certificate_too(dovecot):
    step = failed_step(check_connection(account(dovecot, "starttls", ca=False), Policy()))
    assert step.name == "Securing the connection" and "not trusted" in step.detail


def test_a_certificate_for_another_name_is_named(dovecot):
    step = failed_step(check_connection(account(dovecot, host="127.0.0.2"), Policy()))
    assert step.name == "Securing the connection"
    assert "not valid for the name '127.0.0.2'" in step.detail


def test_bad_password_names_the_sign_in_and_hints_at_app_passwords(dovecot):
    step = failed_step(check_connection(account(dovecot, secret="wrong"), Policy()))
    assert step.name == "Signing in"
    assert "refused the sign-in" in step.detail and "app password" in step.detail
    assert "wrong" not in step.detail


def test_ssl_against_the_starttls_port_says_the_two_do_not_match(dovecot):
    step = failed_step(check_connection(account(dovecot, "ssl", port=dovecot.imap_port), Policy()))
    assert step.name == "Securing the connection" and "993" in step.detail


def test_a_closed_port_names_the_connect_step(dovecot):
    step = failed_step(check_connection(account(dovecot, port=free_port()), Policy()))
    assert step.name == "Connecting" and "refused the connection" in step.detail


def test_an_unknown_host_names_the_lookup_step(dovecot):
    step = failed_step(check_connection(account(dovecot, host="imap.does-not-exist.invalid"), Policy()))
    assert step.name == "Finding the server" and "could not be found" in step.detail


def test_a_missing_folder_names_the_folder_and_lists_the_real_ones(dovecot):
    result = check_connection(account(dovecot), Policy(), folders=["INBOX", "Spam"])
    step = failed_step(result)
    assert step.name == "Opening the folder"
    assert "'Spam' cannot be opened" in step.detail and "Junk" in step.detail


def test_private_addresses_can_be_refused(dovecot):
    step = failed_step(check_connection(account(dovecot), Policy(allow_private=False)))
    assert step.name == "Finding the server" and "OTPDASH_ALLOW_PRIVATE_HOSTS" in step.detail


def test_plain_imap_is_refused_off_this_machine(dovecot):
    step = failed_step(check_connection(account(dovecot, "plain", host="192.0.2.1"), Policy()))
    assert step.name == "Securing the connection" and "OTPDASH_ALLOW_PLAIN_IMAP" in step.detail


def test_an_unusable_saved_certificate_is_named(dovecot):
    acct = account(dovecot)
    acct.ca_pem = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"
    step = failed_step(check_connection(acct, Policy()))
    assert step.name == "Securing the connection" and "cannot be used" in step.detail


def test_the_secret_is_not_in_the_accounts_repr(dovecot):
    assert dovecot.users["alice"] not in repr(account(dovecot))


def test_the_name_is_looked_up_once_and_that_address_is_reached(dovecot, monkeypatch):
    """DNS rebinding: a second answer pointing elsewhere is never asked for, let alone used."""
    import socket

    answers = iter(["127.0.0.2", "127.0.0.1"])
    asked = []
    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host == "imap.rebind.test":
            asked.append(host)
            return real(next(answers), *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)

    # The certificate is for "localhost" and 127.0.0.1 only: reached by the pinned 127.0.0.2 under a
    # name it does not cover, TLS must fail on the name; pinned to the first answer, not re-resolved.
    acct = account(dovecot, host="imap.rebind.test")
    result = check_connection(acct, Policy())
    assert asked == ["imap.rebind.test"]
    step = failed_step(result)
    assert step.name == "Securing the connection" and "imap.rebind.test" in step.detail


def test_tls_is_checked_against_the_name_while_connecting_to_the_pinned_address(dovecot):
    from scanner.imap.pinned import PinnedIMAPClient

    context = __import__("ssl").create_default_context(cafile=str(dovecot.ca_file))
    client = PinnedIMAPClient("localhost", "127.0.0.2", port=dovecot.imaps_port, ssl_context=context, timeout=5)
    try:
        assert client._imap.sock.getpeername()[0] == "127.0.0.2"
        assert client.login("alice", dovecot.users["alice"])
    finally:
        client.logout()


def test_the_pinned_client_still_matches_imapclients_internals():
    """scanner/imap/pinned.py overrides these; an upgrade that renames them must fail here, loudly."""
    from imapclient import IMAPClient, imap4, tls

    assert callable(IMAPClient._create_IMAP4)
    assert callable(tls.IMAP4_TLS._create_socket) and callable(tls.wrap_socket)
    assert callable(imap4.IMAP4WithTimeout._create_socket)


def test_imaplib_under_imapclient_still_answers_the_raw_commands(dovecot):
    """scanner/imap/pinned.py reads imapclient's `_imap` (imaplib) for UID SEARCH and FETCH and
    quiets its debug output: an upgrade that hides or replaces it must fail here, loudly."""
    import imaplib

    from scanner.imap import pinned

    dovecot.append([b"From: a@example.org\r\nSubject: one\r\n\r\nbody\r\n"])
    client = dovecot.client()
    try:
        assert isinstance(client._imap, imaplib.IMAP4)
        pinned.quiet(client)
        assert client._imap.debug == 0
        client.select_folder("INBOX", readonly=True)
        status, lines = pinned.uid_command(client, "SEARCH", "ALL")
        assert status == "OK" and lines[0].split() == [b"1"]
        status, lines = pinned.uid_command(client, "FETCH", "1", "(RFC822.SIZE)")
        assert status == "OK" and b"RFC822.SIZE" in bytes(lines[0])
    finally:
        client.logout()


def test_a_service_that_is_not_imap_is_named_without_echoing_its_banner():
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def banner():
        conn, _ = server.accept()
        conn.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
        conn.close()

    threading.Thread(target=banner, daemon=True).start()
    acct = Account(
        host="127.0.0.1", port=server.getsockname()[1], security="plain", username="u", secret="p", timeout=5
    )
    step = failed_step(check_connection(acct, Policy()))
    server.close()
    assert step.name == "Connecting" and "is not an IMAP server" in step.detail
    assert "SSH" not in step.detail and "OpenSSH" not in step.detail


def test_a_password_outside_ascii_signs_in():
    from tests.dovecot import Dovecot, dovecot_binary

    if dovecot_binary() is None:
        pytest.fail("Dovecot is missing: apt-get install -y dovecot-core dovecot-imapd", pytrace=False)
    server = Dovecot({"zoe": "pässwörd-ß-密码-1"}).start()
    try:
        acct = Account(
            host="127.0.0.1",
            port=server.imaps_port,
            security="ssl",
            username="zoe",
            secret="pässwörd-ß-密码-1",
            ca_pem=server.ca_file.read_text(),
            timeout=5,
        )
        assert check_connection(acct, Policy()).ok
        acct.secret = "pässwörd-ß-密码-2"
        step = failed_step(check_connection(acct, Policy()))
        assert step.name == "Signing in" and "refused the sign-in" in step.detail
    finally:
        server.destroy()
