"""Shared fixtures: a real Dovecot per test, members, and mailboxes linked to that Dovecot."""

from __future__ import annotations

import pytest

from tests import services
from tests.dovecot import MISSING, Dovecot, dovecot_binary
from tests.people import join


@pytest.fixture
def dovecot():
    if dovecot_binary() is None:
        pytest.fail(MISSING, pytrace=False)
    server = Dovecot({"alice": "alice-pass-1", "bob": "bob-pass-2"}).start()
    yield server
    server.destroy()


@pytest.fixture
def pg_database():
    """A PostgreSQL database of the test's own, so processes it starts see what it wrote."""
    try:
        with services.pg_database() as url:
            yield url
    except services.Unavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def redis_db():
    """A Redis database number nobody else here uses, emptied before and after."""
    try:
        with services.redis_database() as url:
            yield url
    except services.Unavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    """Tests make many users; the production hasher's deliberate slowness buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def browser(monkeypatch):
    """Debian's Chromium through Playwright (see tests/browser.py); fails, naming the package, without it."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    from tests.browser import launch

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()
        # The test's own queries ran while Playwright's loop was entered, on a connection of that
        # context (asgiref locals follow it): close it here, or it outlives the test.
        connections.close_all()


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd on 127.0.0.1) that keeps what it receives; Django sends to it."""
    from aiosmtpd.controller import Controller

    from tests.smtp import Inbox, free_port

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


@pytest.fixture
def household(db):
    from accounts.models import Household

    return Household.objects.create(name="Home")


@pytest.fixture
def member(django_user_model, household):
    """Alice, a plain member of the household (the user object: what owns mailboxes and findings)."""
    return join(household, "alice", "member", password="a long household password 1")


@pytest.fixture
def other_member(django_user_model, household):
    return join(household, "bob", "member", password="a long household password 2")


@pytest.fixture
def make_mailbox(dovecot):
    from mailboxes.models import Mailbox

    def make(owner, user="alice", security="ssl", folders=None, **fields):
        port = dovecot.imaps_port if security == "ssl" else dovecot.imap_port
        mailbox = Mailbox(
            owner=owner,
            label=f"{user} test",
            host="127.0.0.1",
            port=port,
            security=security,
            username=user,
            ca_certificate=dovecot.ca_file.read_text(),
            folders=folders or [],
            **fields,
        )
        mailbox.set_secret(dovecot.users[user])
        mailbox.full_clean()
        mailbox.save()
        return mailbox

    return make


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite tests use a file, as `make run` does: an in-memory database shared between threads
    fails with 'table is locked' where the real file (WAL, busy timeout) simply waits."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(autouse=True)
def no_dns_of_the_internet(settings):
    """Signature checks ask no resolver of the internet in tests: the tests that check signatures
    start their own DNS server (tests/dns_server.py) and point DNS_RESOLVERS at it."""
    settings.DNS_RESOLVERS = "off"
