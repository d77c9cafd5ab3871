"""Alerts end to end: a code read by the IDLE watcher reaches the person's email (a real SMTP server)
and their Apprise channel (a local HTTP endpoint); and in a real browser, a member adds an ntfy channel,
tests it, a code arrives through Dovecot, and the "Not me" link of the alert is followed on a
phone-sized page."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from datetime import timezone as tz

import pytest
from django.db import connections
from django_q.conf import Conf

from accounts.models import Household, Member
from mailboxes.models import Mailbox
from scanner.models import Finding
from scanner.watcher import FolderWatch
from tests.browser import ARTIFACTS, watch_console
from tests.findings import with_date
from tests.http_sink import HttpSink
from tests.mailgen import code_mail
from tests.people import join

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "alice has a long password 7"


def unsolicited_now(user) -> datetime:
    """A mail date three hours ago, inside quiet hours that end an hour ago: the rules call the code
    "not me", and the alert (medium) is due at once whatever the hour this test runs."""
    now = datetime.now(tz.utc)
    Member.objects.filter(user=user).update(
        quiet_start=(now - timedelta(hours=4)).time(), quiet_end=(now - timedelta(hours=1)).time()
    )
    return now - timedelta(hours=3)


def linked(dovecot, owner) -> Mailbox:
    mailbox = Mailbox(owner=owner, label="home", host="127.0.0.1", port=dovecot.imaps_port, security="ssl",
                      username="alice", ca_certificate=dovecot.ca_file.read_text())  # fmt: skip
    mailbox.set_secret(dovecot.users["alice"])
    mailbox.save()
    return mailbox


def _through_idle(dovecot, smtp, dated_for) -> tuple[list, list, float]:
    """Alice with an Apprise channel and a watched mailbox; a code mail appended to Dovecot, dated by
    dated_for(alice). (mails, channel posts, seconds from append to both)."""
    from notify.apprise_channel import shown
    from notify.models import Channel

    home = Household.objects.create(name="Home")
    alice = join(home, "alice", "member", password=PASSWORD)
    with HttpSink() as sink:
        url = f"json://127.0.0.1:{sink.port}/alerts"
        channel = Channel(member=alice.member, label="hook")
        channel.set_url(url, shown(url))
        channel.save()
        mailbox = linked(dovecot, alice)
        dated = dated_for(alice)
        watch = FolderWatch(mailbox.pk, "INBOX", None)
        watch.start()
        try:
            deadline = time.monotonic() + 30
            while Mailbox.objects.get(pk=mailbox.pk).state != "ok" and time.monotonic() < deadline:
                time.sleep(0.05)
            started = time.monotonic()
            dovecot.append([with_date(code_mail(7), dated)])
            while (not smtp.messages or not sink.received) and time.monotonic() - started < 20:
                time.sleep(0.02)
            took = time.monotonic() - started
        finally:
            watch.stop()
            watch.join(timeout=10)
            connections.close_all()
    assert smtp.messages and sink.received, "the alert did not arrive within 20 s"
    return smtp.messages, sink.received, took


def test_a_code_read_by_idle_reaches_email_and_the_channel(dovecot, smtp, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)  # the alert task runs where it is queued: no cluster in tests
    mails, posts, took = _through_idle(dovecot, smtp, unsolicited_now)
    print(f"append to email and channel: {took:.2f} s")
    assert mails[0]["To"] == "alice@example.org"
    assert "Someone is asking Microsoft for sign-in codes" in posts[0]["body"]
    assert Finding.objects.get().status == Finding.Status.UNSOLICITED


def test_a_daytime_code_asks_was_this_you_by_email_and_the_channel(dovecot, smtp, monkeypatch):
    """A code no rule decides on (no quiet hours, no sign-in window) opens no incident: the question
    itself is the alert (issue 24)."""
    from incidents.models import Incident
    from tests.people import never_quiet

    monkeypatch.setattr(Conf, "SYNC", True)

    def daytime(alice):
        never_quiet(alice)
        return datetime.now(tz.utc)

    mails, posts, took = _through_idle(dovecot, smtp, daytime)
    print(f"append to 'was this you?' on email and channel: {took:.2f} s")
    assert mails[0]["Subject"].startswith("OTP Dash: was this you? A Microsoft code for ")
    assert "Was this you?" in posts[0]["body"] and "that was me http" in posts[0]["body"]
    assert Finding.objects.get().status == Finding.Status.PENDING and not Incident.objects.exists()


def test_a_member_adds_ntfy_tests_it_and_answers_an_alert_on_a_phone(
    live_server, browser, dovecot, settings, monkeypatch
):
    monkeypatch.setattr(Conf, "SYNC", True)  # Test and Scan now run their tasks at once, inside the live server
    settings.BASE_URL = live_server.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    home = Household.objects.create(name="Home")
    alice = join(home, "alice", "member", password=PASSWORD)
    Member.objects.filter(user=alice).update(time_zone="UTC")
    from notify.models import Preference

    Preference.objects.create(member=alice.member, email_alerts=False)  # the channel only: what this test follows
    linked(dovecot, alice)
    problems: list[str] = []
    with HttpSink() as ntfy:
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = context.new_page()
        watch_console(page, problems)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=login]", "alice")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{live_server.url}/notifications/")
        # The page has two add forms (a channel, a signed webhook), each with its own "Label".
        add = page.locator("form", has=page.get_by_role("button", name="Add", exact=True))
        add.get_by_label("Label").fill("ntfy on my phone")
        add.get_by_label("Apprise URL").fill(f"ntfy://127.0.0.1:{ntfy.port}/otpdash-alerts")
        page.screenshot(path=str(ARTIFACTS / "notifications-phone.png"), full_page=True)
        add.get_by_role("button", name="Add", exact=True).click()
        row = page.locator("table.channels tbody tr", has_text="ntfy on my phone")
        row.get_by_role("button", name="Test").click()
        page.get_by_text("A test is on its way").wait_for()  # the POST and its redirect are done
        assert len(ntfy.wait_for(1, 10)) == 1 and "the channel works" in ntfy.received[0]["body"]
        page.goto(f"{live_server.url}/notifications/")
        assert "never" not in page.locator("table.channels tbody tr").first.inner_text()  # its last delivery

        dovecot.append([with_date(code_mail(8), unsolicited_now(alice))])
        page.goto(f"{live_server.url}/mailboxes/")
        with page.expect_navigation():
            page.get_by_role("button", name="Scan now").click()
        alert = ntfy.wait_for(2, 10)[-1]["body"]
        not_me = re.search(r"not me (http://\S+/answer/\S+/)", alert).group(1)
        page.goto(not_me)
        page.get_by_role("button", name="Not me").click()
        page.get_by_role("heading", name="Noted: not me").wait_for()
        page.screenshot(path=str(ARTIFACTS / "alert-not-me-phone.png"), full_page=True)
        finding = Finding.objects.get()
        assert finding.status == Finding.Status.UNSOLICITED and finding.status_by == alice
        assert problems == []
