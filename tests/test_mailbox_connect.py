""""Test connection" against a real Dovecot: each failing step is named in words a member can act on."""

from __future__ import annotations

import pytest

from scanner.checks import check_connection
from scanner.imap.connect import Account, Policy
from tests.dovecot import free_port


def account(dovecot, security="ssl", user="alice", secret=None, ca=True, host="127.0.0.1", port=None):
    if port is None:
        port = dovecot.imaps_port if security == "ssl" else dovecot.imap_port
    return Account(host=host, port=port, security=security, username=user,
                   secret=dovecot.users[user] if secret is None else secret,
                   ca_file=str(dovecot.ca_file) if ca else "", timeout=5)


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


def test_a_self_signed_certificate_is_refused_until_its_ca_file_is_given(dovecot):
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
    assert step.name == "Finding the server" and "OTPDASH_ALLOW_PRIVATE_MAIL_HOSTS" in step.detail


def test_plain_imap_is_refused_off_this_machine(dovecot):
    step = failed_step(check_connection(account(dovecot, "plain", host="192.0.2.1"), Policy()))
    assert step.name == "Securing the connection" and "OTPDASH_ALLOW_PLAIN_IMAP" in step.detail


def test_an_unreadable_ca_file_is_named(dovecot, tmp_path):
    acct = account(dovecot)
    acct.ca_file = str(tmp_path / "missing.pem")
    step = failed_step(check_connection(acct, Policy()))
    assert step.name == "Securing the connection" and "missing.pem" in step.detail


def test_the_secret_is_not_in_the_accounts_repr(dovecot):
    assert dovecot.users["alice"] not in repr(account(dovecot))
