"""Mailboxes linked by OAuth2: the device-code and authorization-code flows against a local
authorization server, scans over XOAUTH2 from a Dovecot that checks tokens with that server, refresh
before expiry, rotated refresh tokens saved, a revoked grant turning into "reconnect needed", and a
forged state refused."""

from __future__ import annotations

import json
import re
import time
import urllib.parse

import pytest
import requests
from django.urls import reverse

from mailboxes.models import Mailbox, OAuthFlow
from otpdash import secretbox
from scanner.models import Finding
from scanner.scanning import scan_mailbox
from tests.dovecot import MISSING, Dovecot, dovecot_binary
from tests.mailgen import code_mail
from tests.oauth_server import OAuthServer
from tests.people import sign_in

pytestmark = pytest.mark.django_db
ADDRESS = "alice@example.com"


@pytest.fixture
def oauth(settings):
    with OAuthServer() as server:
        yield server


@pytest.fixture
def oauth_dovecot(oauth, tmp_path, settings):
    """Dovecot that takes XOAUTH2 and asks the local server whether a token is live."""
    if dovecot_binary() is None:
        pytest.fail(MISSING, pytrace=False)
    server = Dovecot({ADDRESS: "seed-only-password-1"}, extra_config=oauth.dovecot_config(tmp_path)).start()
    settings.OAUTH = {
        "microsoft": {"client_id": "otpdash-test", "client_secret": "", "tenant": "consumers",
                      "login_url": oauth.url, "imap_host": "127.0.0.1", "imap_port": server.imaps_port},
        "google": {"client_id": "otpdash-google", "client_secret": "google-secret-1",
                   "authorize_url": f"{oauth.url}/google/authorize", "token_url": f"{oauth.url}/google/token",
                   "imap_host": "127.0.0.1", "imap_port": server.imaps_port},
    }  # fmt: skip
    yield server
    server.destroy()


def trust(mailbox: Mailbox, dovecot: Dovecot) -> Mailbox:
    """The local Dovecot's certificate comes from a throw-away CA (Outlook's and Gmail's are public)."""
    Mailbox.objects.filter(pk=mailbox.pk).update(ca_certificate=dovecot.ca_file.read_text())
    return Mailbox.objects.get(pk=mailbox.pk)


def link_by_device(client, oauth) -> Mailbox:
    start = client.post(
        reverse("oauth_start", args=["microsoft"]), {"label": "Outlook", "address": ADDRESS, "flow": "device"}
    )
    assert start.status_code == 302, start.content.decode()[:500]
    page = client.get(start.url).content.decode()
    flow = OAuthFlow.objects.get()
    assert flow.user_code in page and f"{oauth.url}/device" in page
    # Beside the code: typing it is safe only because the person started this here (issue 25).
    assert "Type this code only because you started this yourself, a minute ago, on this page." in page
    assert "microsoft.com/devicelogin is an attack" in page
    assert "enter this code" in client.get(start.url, HTTP_HX_REQUEST="true").content.decode()  # still waiting
    requests.post(f"{oauth.url}/device", data={"user_code": flow.user_code, "email": ADDRESS}, timeout=5)
    done = client.get(start.url)
    assert done.status_code == 302 and done.url == reverse("mailboxes")
    return Mailbox.objects.get()


def test_the_device_code_flow_links_a_mailbox_scanned_over_xoauth2(client, member, oauth, oauth_dovecot):
    sign_in(client, member)
    mailbox = trust(link_by_device(client, oauth), oauth_dovecot)
    assert (mailbox.auth, mailbox.host, mailbox.username, mailbox.label) == (
        "microsoft",
        "127.0.0.1",
        ADDRESS,
        "Outlook",
    )
    stored = json.loads(secretbox.unseal(mailbox.secret_sealed))
    assert stored["access_token"] in oauth.access and stored["refresh_token"] in oauth.refresh
    assert stored["access_token"] not in mailbox.secret_sealed  # sealed, as every secret
    oauth_dovecot.append([code_mail(1)], user=ADDRESS)
    report = scan_mailbox(mailbox)
    assert report.error is None and report.found == 1, report.error
    assert Finding.objects.filter(owner=member).count() == 1


def test_the_authorization_code_flow_checks_state_and_pkce(client, member, oauth, oauth_dovecot):
    sign_in(client, member)
    start = client.post(reverse("oauth_start", args=["google"]), {"label": "Gmail", "address": ADDRESS, "flow": "code"})
    assert start.url.startswith(f"{oauth.url}/google/authorize?")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(start.url).query))
    assert query["code_challenge_method"] == "S256" and query["access_type"] == "offline" and query["state"]
    assert query["scope"] == "https://mail.google.com/"
    # The person allows it at the provider, which sends them back with a code and the state.
    back = requests.post(start.url.split("?")[0], data={**query, "email": ADDRESS}, allow_redirects=False, timeout=5)
    callback = back.headers["Location"].replace("http://localhost:8000", "")
    forged = callback.replace(f"state={query['state']}", "state=forged-state")
    refused = client.get(forged)
    assert refused.status_code == 400 and "does not match a sign-in you started" in refused.content.decode()
    assert not Mailbox.objects.exists()
    done = client.get(callback)
    assert done.status_code == 302 and done.url == reverse("mailboxes")
    mailbox = trust(Mailbox.objects.get(), oauth_dovecot)
    assert mailbox.auth == "google" and mailbox.username == ADDRESS
    assert client.get(callback).status_code == 400  # an answer works once
    oauth_dovecot.append([code_mail(2)], user=ADDRESS)
    assert scan_mailbox(mailbox).found == 1


def test_an_expiring_token_is_refreshed_before_the_scan_and_the_rotated_one_saved(client, member, oauth, oauth_dovecot):
    sign_in(client, member)
    mailbox = trust(link_by_device(client, oauth), oauth_dovecot)
    first = json.loads(secretbox.unseal(mailbox.secret_sealed))
    # Make the stored token about to expire: the scan must renew it first.
    first["expires_at"] = int(time.time()) + 30
    Mailbox.objects.filter(pk=mailbox.pk).update(secret_sealed=secretbox.seal(json.dumps(first)))
    report = scan_mailbox(Mailbox.objects.get(pk=mailbox.pk))
    assert report.error is None, report.error
    after = json.loads(secretbox.unseal(Mailbox.objects.get(pk=mailbox.pk).secret_sealed))
    assert after["access_token"] != first["access_token"]
    assert first["refresh_token"] in oauth.used_refresh and after["refresh_token"] in oauth.refresh  # rotated, saved
    # A restart reads what was saved: expire it again; the saved (rotated) refresh token renews it.
    after["expires_at"] = int(time.time())
    Mailbox.objects.filter(pk=mailbox.pk).update(secret_sealed=secretbox.seal(json.dumps(after)))
    assert scan_mailbox(Mailbox.objects.get(pk=mailbox.pk)).error is None
    assert after["refresh_token"] in oauth.used_refresh


def test_a_revoked_grant_means_reconnect_and_the_button_starts_the_flow_again(
    client, member, oauth, oauth_dovecot, smtp, monkeypatch, django_capture_on_commit_callbacks
):
    from django_q.conf import Conf

    sign_in(client, member)
    mailbox = trust(link_by_device(client, oauth), oauth_dovecot)
    monkeypatch.setattr(Conf, "SYNC", True)  # queued tasks (the notice, Scan) run where they are queued
    token = json.loads(secretbox.unseal(mailbox.secret_sealed))
    token["expires_at"] = 0
    Mailbox.objects.filter(pk=mailbox.pk).update(secret_sealed=secretbox.seal(json.dumps(token)))
    oauth.revoke_all()
    with django_capture_on_commit_callbacks(execute=True):
        report = scan_mailbox(Mailbox.objects.get(pk=mailbox.pk))
    mailbox.refresh_from_db()
    (notice,) = smtp.messages  # the member is told, once
    assert notice["Subject"] == "OTP Dash: Outlook needs you to sign in again"
    assert "Press Reconnect" in notice.get_body(("plain",)).get_content()
    with django_capture_on_commit_callbacks(execute=True):
        scan_mailbox(Mailbox.objects.get(pk=mailbox.pk))  # a second failure tells nobody again
    assert len(smtp.messages) == 1
    assert report.error is not None and mailbox.state == Mailbox.State.RECONNECT
    assert "invalid_grant" in mailbox.last_error
    assert not Mailbox.objects.watchable().filter(pk=mailbox.pk).exists()  # nobody keeps asking the provider
    page = client.get(reverse("mailboxes")).content.decode()
    assert "reconnect needed" in page and "Reconnect</button>" in page
    again = client.post(reverse("oauth_reconnect", args=[mailbox.code]))
    flow = OAuthFlow.objects.get(mailbox=mailbox, finished_at__isnull=True)
    assert again.url == reverse("oauth_device", args=[flow.code])
    requests.post(f"{oauth.url}/device", data={"user_code": flow.user_code, "email": ADDRESS}, timeout=5)
    client.get(again.url)
    mailbox.refresh_from_db()
    assert mailbox.state == Mailbox.State.OK and Mailbox.objects.count() == 1  # signed in again and scanned
    assert scan_mailbox(mailbox).error is None


def test_microsofts_redirect_is_offered_only_once_the_admin_registered_it(
    client, member, oauth, oauth_dovecot, settings
):
    sign_in(client, member)
    page = client.get(reverse("oauth_start", args=["microsoft"])).content.decode()
    assert 'value="device"' in page and 'value="code"' not in page
    refused = client.post(
        reverse("oauth_start", args=["microsoft"]), {"label": "O", "address": ADDRESS, "flow": "code"}
    )
    assert refused.status_code == 400 and not OAuthFlow.objects.exists()
    settings.OAUTH["microsoft"]["redirect"] = True
    start = client.post(reverse("oauth_start", args=["microsoft"]), {"label": "O", "address": ADDRESS, "flow": "code"})
    assert start.url.startswith(f"{oauth.url}/consumers/oauth2/v2.0/authorize?")
    assert "IMAP.AccessAsUser.All" in urllib.parse.unquote(start.url) and "offline_access" in start.url


def test_once_registered_the_redirect_is_offered_first_and_used_to_reconnect(
    client, member, oauth, oauth_dovecot, settings
):
    """The device code trains people to type codes at microsoft.com/devicelogin, which is what device-code
    phishing asks: where the redirect works, it is the first choice and the one a reconnect uses."""
    sign_in(client, member)
    mailbox = link_by_device(client, oauth)
    settings.OAUTH["microsoft"]["redirect"] = True
    page = client.get(reverse("oauth_start", args=["microsoft"])).content.decode()
    assert page.index('value="code"') < page.index('value="device"')
    assert re.search(r'value="code"[^>]*checked', page) and not re.search(r'value="device"[^>]*checked', page)
    again = client.post(reverse("oauth_reconnect", args=[mailbox.code]))
    assert again.url.startswith(f"{oauth.url}/consumers/oauth2/v2.0/authorize?")


def test_a_provider_that_is_not_set_up_is_not_offered(client, member, settings):
    settings.OAUTH = {"microsoft": {"client_id": ""}, "google": {"client_id": ""}}
    sign_in(client, member)
    assert client.get(reverse("oauth_start", args=["microsoft"])).status_code == 404
    assert "Sign in with" not in client.get(reverse("mailboxes")).content.decode()


def test_the_command_links_by_device_code_in_the_terminal(member, oauth, oauth_dovecot):
    import io
    import threading

    from django.core.management import call_command

    out = io.StringIO()

    def approve():  # the admin, on their phone, enters the code the terminal shows
        deadline = time.monotonic() + 10
        while "enter the code" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
        code = out.getvalue().split("enter the code ")[1].split()[0]
        requests.post(f"{oauth.url}/device", data={"user_code": code, "email": ADDRESS}, timeout=5)

    helper = threading.Thread(target=approve)
    helper.start()
    call_command("mailbox", "add", "--owner", "alice", "--oauth", "microsoft", "--username", ADDRESS, stdout=out)
    helper.join(timeout=10)
    mailbox = trust(Mailbox.objects.get(), oauth_dovecot)
    assert out.getvalue().strip().endswith(str(mailbox.pk)) and mailbox.auth == "microsoft"
    tested = io.StringIO()
    call_command("mailbox", "test", str(mailbox.pk), stdout=tested)
    assert "INBOX" in tested.getvalue() and "failed" not in tested.getvalue().lower()


def test_an_oauth_mailbox_cannot_be_pointed_at_another_server(client, member, oauth, oauth_dovecot):
    sign_in(client, member)
    mailbox = link_by_device(client, oauth)
    sealed = mailbox.secret_sealed
    page = client.get(reverse("mailbox_edit", args=[mailbox.code])).content.decode()
    assert "to sign in again, use Reconnect" in page
    client.post(
        reverse("mailbox_edit", args=[mailbox.code]),
        {"label": "Renamed", "host": "evil.example", "port": "993", "security": "ssl", "username": "x@evil.example",
         "password": "typed", "poll_minutes": "10", "backfill_days": "90", "folders": "", "enabled": "on"},
    )  # fmt: skip
    mailbox.refresh_from_db()
    assert (mailbox.label, mailbox.host, mailbox.username) == ("Renamed", "127.0.0.1", ADDRESS)
    assert mailbox.secret_sealed == sealed and mailbox.auth == "microsoft"
