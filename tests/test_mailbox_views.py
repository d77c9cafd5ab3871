"""The mailbox pages: who may see and change what, the write-only secret, and Test connection."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_q.conf import Conf

from mailboxes.models import Mailbox
from scanner.models import Finding
from tests.mailgen import code_mail
from tests.people import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tasks_run_at_once(monkeypatch):
    """Test connection runs in the task cluster; here the cluster runs each task as it is queued."""
    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def alice_client(client, member):
    return sign_in(client, member)


@pytest.fixture
def bobs_mailbox(other_member):
    mailbox = Mailbox(owner=other_member, label="Bob private", host="imap.example.com", username="bob@example.com")
    mailbox.set_secret("bobs-secret-9")
    mailbox.save()
    return mailbox


def form_data(dovecot, **changes):
    data = {
        "label": "Alice home",
        "host": "127.0.0.1",
        "port": dovecot.imaps_port,
        "security": "ssl",
        "username": "alice",
        "password": dovecot.users["alice"],
        "folders": "",
        "ca_certificate": dovecot.ca_file.read_text(),
        "poll_minutes": 10,
        "backfill_days": 90,
        "enabled": "on",
    }
    data.update(changes)
    return data


def test_anonymous_visitors_are_sent_to_sign_in(client, bobs_mailbox):
    for url in (
        reverse("mailboxes"),
        reverse("mailbox_new"),
        reverse("mailbox_edit", args=[bobs_mailbox.code]),
        reverse("mailbox_remove", args=[bobs_mailbox.code]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for url in (
        reverse("mailbox_test"),
        reverse("mailbox_pause", args=[bobs_mailbox.code]),
        reverse("mailbox_scan", args=[bobs_mailbox.code]),
    ):
        assert client.post(url).status_code == 302
    assert Mailbox.objects.get().enabled


def test_a_member_never_sees_or_touches_another_members_mailbox(alice_client, bobs_mailbox):
    page = alice_client.get(reverse("mailboxes")).content.decode()
    assert "Bob private" not in page and "No mailbox is linked yet" in page
    code = bobs_mailbox.code
    for name in ("mailbox_edit", "mailbox_remove"):
        assert alice_client.get(reverse(name, args=[code])).status_code == 404
    for name in ("mailbox_edit", "mailbox_remove", "mailbox_pause", "mailbox_scan", "mailbox_test_saved"):
        assert alice_client.post(reverse(name, args=[code]), {"label": "mine now"}).status_code == 404
    bobs_mailbox.refresh_from_db()
    assert bobs_mailbox.label == "Bob private" and bobs_mailbox.enabled


def test_sign_in_page_then_the_dashboard(client, member):
    page = client.get(reverse("account_login")).content.decode()
    assert 'name="password"' in page
    response = client.post(reverse("account_login"), {"login": "alice", "password": "a long household password 1"})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.get(reverse("mailboxes")).status_code == 200


def test_link_a_mailbox_with_a_preset_test_it_and_save(alice_client, dovecot, member):
    page = alice_client.get(reverse("mailbox_new") + "?preset=gmail").content.decode()
    assert 'value="imap.gmail.com"' in page and "app password" in page
    outlook = alice_client.get(reverse("mailbox_new") + "?preset=outlook").content.decode()
    assert "OAuth2" in outlook

    tested = alice_client.post(reverse("mailbox_test"), form_data(dovecot), HTTP_HX_REQUEST="true")
    text = tested.content.decode()
    assert tested.status_code == 200 and text.lstrip().startswith('<div id="check-result"')
    assert "✓ Signing in" in text and "✓ Opening Junk" in text and "Everything works" in text
    assert not Mailbox.objects.exists()  # testing saves nothing

    response = alice_client.post(reverse("mailbox_new"), form_data(dovecot, action="save"))
    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert mailbox.owner == member and mailbox.get_secret() == dovecot.users["alice"]
    listing = alice_client.get(reverse("mailboxes")).content.decode()
    assert "Alice home" in listing and "not scanned yet" in listing

    alice_client.post(reverse("mailbox_new"), form_data(dovecot, label="", action="save"))
    assert Mailbox.objects.filter(label="alice on 127.0.0.1").exists()  # an empty label names the address


def test_test_connection_without_javascript_rerenders_the_form_with_the_failed_step(alice_client, dovecot):
    response = alice_client.post(reverse("mailbox_new"), form_data(dovecot, password="wrong", action="test"))
    page = response.content.decode()
    assert response.status_code == 200 and "<form" in page
    assert "✗ Signing in" in page and "app password" in page
    assert 'value="wrong"' not in page  # the secret is never rendered back
    assert not Mailbox.objects.exists()


def test_bad_input_gets_clear_messages_and_saves_nothing(alice_client, dovecot):
    cases = [
        ({"port": 0}, "greater than or equal to 1"),
        ({"password": ""}, "Enter the password"),
        ({"security": "plain", "host": "imap.example.com"}, "allowed only to this machine"),
        ({"ca_certificate": "/etc/passwd"}, "not a PEM certificate"),
        ({"ca_certificate": "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"}, "could not be read"),
        ({"poll_minutes": "soon"}, "Enter a whole number"),
        ({"username": ""}, "This field is required"),
    ]
    for change, message in cases:
        response = alice_client.post(reverse("mailbox_new"), form_data(dovecot, action="save", **change))
        assert response.status_code == 400, change
        assert message in response.content.decode(), change
        tested = alice_client.post(reverse("mailbox_test"), form_data(dovecot, **change), HTTP_HX_REQUEST="true")
        assert tested.status_code == 200 and "Fix the fields" in tested.content.decode()
    assert not Mailbox.objects.exists()


def test_editing_never_shows_the_secret_and_an_empty_password_keeps_it(alice_client, dovecot, member, make_mailbox):
    mailbox = make_mailbox(member)
    page = alice_client.get(reverse("mailbox_edit", args=[mailbox.code])).content.decode()
    assert dovecot.users["alice"] not in page and mailbox.secret_sealed not in page
    assert "Leave empty to keep the stored password" in page
    response = alice_client.post(
        reverse("mailbox_edit", args=[mailbox.code]), form_data(dovecot, password="", label="Renamed", action="save")
    )
    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.label == "Renamed" and mailbox.get_secret() == dovecot.users["alice"]
    tested = alice_client.post(
        reverse("mailbox_test_saved", args=[mailbox.code]), form_data(dovecot, password=""), HTTP_HX_REQUEST="true"
    )
    assert "Everything works" in tested.content.decode()


def test_a_new_password_unpauses_a_mailbox_paused_after_failed_sign_ins(alice_client, dovecot, member, make_mailbox):
    mailbox = make_mailbox(member)
    Mailbox.objects.filter(pk=mailbox.pk).update(state="paused", auth_failures=3, last_error="Paused after 3")
    listing = alice_client.get(reverse("mailboxes")).content.decode()
    assert "paused" in listing and "Paused after 3" in listing and "Resume" in listing
    alice_client.post(reverse("mailbox_edit", args=[mailbox.code]), form_data(dovecot, action="save"))
    mailbox.refresh_from_db()
    assert (mailbox.state, mailbox.auth_failures) == ("new", 0)


def test_pause_resume_scan_now_and_remove(alice_client, dovecot, member, make_mailbox):
    dovecot.append([code_mail(1)])
    mailbox = make_mailbox(member)
    alice_client.post(reverse("mailbox_pause", args=[mailbox.code]))
    assert not Mailbox.objects.get().enabled
    response = alice_client.post(reverse("mailbox_scan", args=[mailbox.code]), follow=True)
    assert "is paused; resume it first" in response.content.decode() and not Finding.objects.exists()
    alice_client.post(reverse("mailbox_pause", args=[mailbox.code]))
    assert Mailbox.objects.get().enabled
    response = alice_client.post(reverse("mailbox_scan", args=[mailbox.code]), follow=True)
    assert "on its way" in response.content.decode() and Finding.objects.count() == 1
    rows = alice_client.get(reverse("mailboxes"), HTTP_HX_REQUEST="true").content.decode()
    assert rows.lstrip().startswith('<tbody id="mailbox-rows"') and ">ok<" in rows

    confirm = alice_client.get(reverse("mailbox_remove", args=[mailbox.code])).content.decode()
    assert "forgets its password" in confirm and Mailbox.objects.exists()
    alice_client.post(reverse("mailbox_remove", args=[mailbox.code]))
    assert not Mailbox.objects.exists() and Finding.objects.count() == 1


def test_pages_reject_wrong_methods(alice_client, member, make_mailbox):
    mailbox = make_mailbox(member)
    assert alice_client.get(reverse("mailbox_pause", args=[mailbox.code])).status_code == 405
    assert alice_client.get(reverse("mailbox_test")).status_code == 405
    assert alice_client.post(reverse("mailboxes")).status_code == 405


def test_testing_with_the_stored_password_needs_a_recent_password_check(client, dovecot, member, make_mailbox):
    from mailboxes.models import ConnectionCheck

    mailbox = make_mailbox(member)
    stale = sign_in(client, member, checked_ago=3600)
    tested = stale.post(
        reverse("mailbox_test_saved", args=[mailbox.code]), form_data(dovecot, password=""), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "needs your OTP Dash password again" in tested and reverse("account_reauthenticate") in tested
    assert not ConnectionCheck.objects.exists()  # nothing was sent anywhere
    fresh = sign_in(client, member)
    tested = fresh.post(
        reverse("mailbox_test_saved", args=[mailbox.code]), form_data(dovecot, password=""), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Everything works" in tested


def test_the_stored_password_goes_only_where_it_is_saved_to_go(alice_client, dovecot, member, make_mailbox):
    from mailboxes.models import ConnectionCheck

    mailbox = make_mailbox(member)
    for change in (
        {"host": "localhost"},
        {"port": dovecot.imap_port, "security": "starttls"},
        {"username": "bob"},
        {"ca_certificate": ""},
    ):
        tested = alice_client.post(
            reverse("mailbox_test_saved", args=[mailbox.code]),
            form_data(dovecot, password="", **change),
            HTTP_HX_REQUEST="true",
        )
        assert "Fix the fields" in tested.content.decode(), change
        saved = alice_client.post(
            reverse("mailbox_edit", args=[mailbox.code]), form_data(dovecot, password="", action="save", **change)
        )
        assert saved.status_code == 400 and "Type the password again" in saved.content.decode(), change
    assert not ConnectionCheck.objects.exists()
    mailbox.refresh_from_db()
    assert mailbox.host == "127.0.0.1" and mailbox.username == "alice"
    # With the password typed again, the server may change.
    moved = alice_client.post(
        reverse("mailbox_edit", args=[mailbox.code]), form_data(dovecot, host="localhost", action="save")
    )
    assert moved.status_code == 302
    assert Mailbox.objects.get().host == "localhost"


def test_a_test_runs_in_the_task_cluster_and_the_page_follows_it(alice_client, dovecot, monkeypatch):
    from mailboxes.models import ConnectionCheck

    monkeypatch.setattr(Conf, "SYNC", False)
    queued = []
    monkeypatch.setattr("mailboxes.views.queue_check", queued.append)
    first = alice_client.post(reverse("mailbox_test"), form_data(dovecot), HTTP_HX_REQUEST="true").content.decode()
    check = ConnectionCheck.objects.get()
    assert queued == [check] and "Testing" in first
    assert f'hx-get="{reverse("mailbox_check", args=[check.code])}"' in first
    assert dovecot.users["alice"] not in check.secret_sealed  # sealed until the task has run
    polled = alice_client.get(reverse("mailbox_check", args=[check.code]), HTTP_HX_REQUEST="true").content.decode()
    assert "Testing" in polled
    from mailboxes.tasks import run_check

    assert run_check(check.pk) == "ok"
    check.refresh_from_db()
    assert check.secret_sealed == ""  # the typed password is gone once used
    done = alice_client.get(reverse("mailbox_check", args=[check.code]), HTTP_HX_REQUEST="true").content.decode()
    assert "Everything works" in done and "hx-get" not in done
    # Without JavaScript the form is sent again to show the result.
    page = alice_client.post(reverse("mailbox_new"), form_data(dovecot, action="check-result", check=str(check.code)))
    assert "Everything works" in page.content.decode() and "<form" in page.content.decode()


def test_a_member_cannot_follow_another_members_test(alice_client, client, dovecot, other_member):
    from mailboxes.models import ConnectionCheck

    check = ConnectionCheck.objects.create(
        owner=other_member, host="imap.example.com", port=993, security="ssl", username="bob"
    )
    assert alice_client.get(reverse("mailbox_check", args=[check.code])).status_code == 404


def test_tests_are_rate_limited_per_member(alice_client, dovecot, monkeypatch):
    from mailboxes.models import ConnectionCheck

    monkeypatch.setattr("mailboxes.views.queue_check", lambda check: None)
    for _ in range(ConnectionCheck.RATE_LIMIT):
        alice_client.post(reverse("mailbox_test"), form_data(dovecot), HTTP_HX_REQUEST="true")
    refused = alice_client.post(reverse("mailbox_test"), form_data(dovecot), HTTP_HX_REQUEST="true").content.decode()
    assert "wait a few minutes" in refused
    assert ConnectionCheck.objects.count() == ConnectionCheck.RATE_LIMIT


def test_a_ca_certificate_can_be_uploaded_and_the_page_says_what_is_trusted(alice_client, dovecot):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = form_data(dovecot, action="save", ca_certificate="")
    data["ca_upload"] = SimpleUploadedFile("ca.pem", dovecot.ca_file.read_bytes())
    assert alice_client.post(reverse("mailbox_new"), data).status_code == 302
    mailbox = Mailbox.objects.get()
    assert mailbox.ca_certificate.startswith("-----BEGIN CERTIFICATE-----")
    page = alice_client.get(reverse("mailbox_edit", args=[mailbox.code])).content.decode()
    assert "Trusted now:" in page
    data["ca_upload"] = SimpleUploadedFile("key.pem", b"-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n")
    refused = alice_client.post(reverse("mailbox_new"), data)
    assert refused.status_code == 400 and "not a PEM certificate" in refused.content.decode()


def test_a_test_the_worker_never_picks_up_says_so(alice_client, member):
    from datetime import timedelta

    from django.utils import timezone

    from mailboxes.models import ConnectionCheck

    check = ConnectionCheck.objects.create(
        owner=member, host="imap.example.com", port=993, security="ssl", username="alice"
    )
    ConnectionCheck.objects.filter(pk=check.pk).update(created_at=timezone.now() - timedelta(minutes=3))
    page = alice_client.get(reverse("mailbox_check", args=[check.code]), HTTP_HX_REQUEST="true").content.decode()
    assert "background worker is not running" in page and "hx-get" not in page


def test_the_mailbox_form_folds_the_advanced_fields_and_opens_them_on_an_error(client, member):
    from tests.people import sign_in as signed_in

    signed_in(client, member)
    page = client.get("/mailboxes/new/").content.decode()
    folded = page.split('<details class="advanced"', 1)[1]
    assert folded.startswith(">") and 'name="ca_certificate"' in folded and 'name="folders"' in folded
    assert 'name="host"' not in folded  # the basics stay in view
    bad = client.post("/mailboxes/new/", {"action": "save", "host": "imap.example.org", "port": 993,
                                          "security": "ssl", "username": "u", "password": "p",
                                          "poll_minutes": 0, "backfill_days": 90}).content.decode()  # fmt: skip
    assert '<details class="advanced" open>' in bad  # an error there is not hidden
