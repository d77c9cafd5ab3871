"""The notifications page, channels (stored sealed, shown masked, tested in the background), invitations
by mail through a real SMTP server, and the admins' banner when mail cannot go out."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_q.models import OrmQ

from accounts.models import Invitation
from notify.models import Channel, Preference
from tests.people import join, sign_in
from tests.smtp import free_port

pytestmark = pytest.mark.django_db
SECRET_URL = "json://hookuser:hook-secret-99@127.0.0.1:9/hook"


def test_preferences_save_and_admin_choices_are_for_admins_only(client, member, household):
    sign_in(client, member)
    page = client.get(reverse("notifications")).content.decode()
    assert 'name="digest"' in page and 'name="admin_alerts"' not in page
    client.post(reverse("notifications"), {"digest": "daily", "min_severity": "3", "email_alerts": "on"})
    pref = Preference.objects.get(member=member.member)
    assert (pref.digest, pref.min_severity, pref.email_alerts, pref.empty_digests) == ("daily", 3, True, False)
    owner = join(household, "olivia", "owner")
    sign_in(client, owner)
    assert 'name="admin_alerts"' in client.get(reverse("notifications")).content.decode()


def test_a_channel_is_stored_sealed_shown_masked_and_tested_in_the_background(client, member):
    sign_in(client, member)
    bad = client.post(reverse("channel_add"), {"label": "x", "url": "not a url"})
    assert bad.status_code == 400 and "Apprise cannot read this URL" in bad.content.decode()
    assert not Channel.objects.exists()
    client.post(reverse("channel_add"), {"label": "Hook", "url": SECRET_URL})
    channel = Channel.objects.get()
    assert "hook-secret-99" not in channel.url_sealed and channel.get_url() == SECRET_URL
    page = client.get(reverse("notifications")).content.decode()
    assert "hook-secret-99" not in page and "hookuser:****@127.0.0.1" in page
    client.post(reverse("channel_action", args=[channel.code]), {"action": "test"})
    assert OrmQ.objects.count() == 1  # queued for the task cluster, not run in the request


def test_a_members_channels_are_their_own(client, member, other_member):
    channel = Channel(member=member.member, label="Alice phone")
    channel.set_url(SECRET_URL, "json://hookuser:****@127.0.0.1:9/hook")
    channel.save()
    sign_in(client, other_member)
    assert "Alice phone" not in client.get(reverse("notifications")).content.decode()
    assert client.post(reverse("channel_action", args=[channel.code]), {"action": "remove"}).status_code == 404
    assert Channel.objects.filter(pk=channel.pk).exists()


def test_an_invitation_is_mailed_and_the_join_page_says_who_invited(client, household, smtp):
    owner = join(household, "olivia", "owner")
    sign_in(client, owner)
    page = client.post(reverse("invite"), {"email": "new@example.org", "role": "member", "send": "on"})
    assert (
        "Sent by email to new@example.org" in page.content.decode()
        and 'data-copy="invitation-link"' in page.content.decode()
    )
    (mail,) = smtp.messages
    assert mail["To"] == "new@example.org" and mail["Subject"] == "Olivia invites you to Home on OTP Dash"
    link = re.search(r"http://testserver(/join/\S+/)", mail.get_body(("plain",)).get_content()).group(1)
    client.post(reverse("account_logout"))
    joining = client.get(link).content.decode()
    assert "Olivia invited you as <strong>member</strong>" in joining
    assert Invitation.objects.get().email == "new@example.org"


def test_admins_see_why_mail_is_not_going_out(client, household, settings):
    owner = join(household, "olivia", "owner")
    member = join(household, "alice", "member")
    settings.EMAIL_HOST = ""
    sign_in(client, owner)
    assert "Email is not set up" in client.get(reverse("dashboard")).content.decode()
    sign_in(client, member)
    assert "Email is not set up" not in client.get(reverse("dashboard")).content.decode()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    sign_in(client, owner)
    page = client.post(reverse("invite"), {"email": "new@example.org", "role": "member", "send": "on"}).content.decode()
    assert "The email could not be sent" in page
    assert "Sending email failed at" in client.get(reverse("dashboard")).content.decode()
