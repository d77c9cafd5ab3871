"""The first hour: the owner's set-up checklist ticked by what is really configured, the mail set-up
guide the banner leads to, the two-step reminder, and a join page that says what OTP Dash is."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.models import Household, Invitation
from dashboard.setup import setup_checklist, setup_items
from mailboxes.models import Mailbox
from tests.people import join, sign_in
from tests.smtp import free_port

pytestmark = pytest.mark.django_db
SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture
def owner(household):
    return join(household, "olivia", "owner", staff=True)


def ticks(member) -> dict[str, bool]:
    return {item.key: item.done for item in setup_items(member)}


def link_mailbox(user, label="Home mail"):
    box = Mailbox(owner=user, label=label, host="imap.example.org", username=f"{user.username}@example.org")
    box.set_secret("x")
    box.save()
    return box


def setup_card(client) -> str | None:
    page = client.get(reverse("dashboard")).content.decode()
    found = re.search(r'<section class="card setup".*?</section>', page, re.S)
    return found.group(0) if found else None


def test_each_item_is_ticked_by_what_is_really_there(owner, household, smtp):
    assert ticks(owner.member) == {"mail": True, "two_step": False, "invite": False, "mailbox": False}
    invitation = Invitation.objects.create(household=household, email="bob@example.org", invited_by=owner)
    assert ticks(owner.member)["invite"]
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=invitation.created_at)  # withdrawn: not invited
    assert not ticks(owner.member)["invite"]
    alice = join(household, "alice")
    assert ticks(owner.member)["invite"]
    link_mailbox(alice)  # anyone's mailbox in the household counts
    assert ticks(owner.member)["mailbox"]
    Authenticator.objects.create(user=owner, type=Authenticator.Type.RECOVERY_CODES, data={})
    assert not ticks(owner.member)["two_step"]  # recovery codes alone are no second step
    Authenticator.objects.create(user=owner, type=Authenticator.Type.TOTP, data={})
    assert all(ticks(owner.member).values())
    assert setup_checklist(owner.member) is None


def test_another_households_people_and_mailboxes_tick_nothing(owner):
    elsewhere = Household.objects.create(name="Next door")
    ben = join(elsewhere, "ben", "owner")
    join(elsewhere, "bea")
    link_mailbox(ben)
    Invitation.objects.create(household=elsewhere, email="x@example.org")
    Authenticator.objects.create(user=ben, type=Authenticator.Type.TOTP, data={})
    assert ticks(owner.member) == {"mail": False, "two_step": False, "invite": False, "mailbox": False}
    assert ticks(ben.member) == {"mail": False, "two_step": True, "invite": True, "mailbox": True}


def test_mail_counts_only_when_it_would_really_be_delivered(owner, settings, smtp):
    assert ticks(owner.member)["mail"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert not ticks(owner.member)["mail"]  # a host beside the console backend delivers nothing
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST = ""
    assert not ticks(owner.member)["mail"]


def test_a_failed_send_unticks_mail_and_says_so(client, owner, settings):
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    assert ticks(owner.member)["mail"]
    sign_in(client, owner)
    client.post(reverse("invite"), {"email": "bob@example.org", "role": "member", "send": "on"})
    (mail_item,) = [item for item in setup_items(owner.member) if item.key == "mail"]
    assert not mail_item.done and "the last mail could not be sent" in mail_item.hint


def test_admins_see_the_card_with_links_until_everything_is_done(client, owner, household, smtp):
    sign_in(client, owner)
    card = setup_card(client)
    assert card is not None and "Set up OTP Dash" in card
    for url in (reverse("mail_setup"), reverse("mfa_index"), reverse("people") + "#invite", reverse("mailbox_new")):
        assert f'href="{url}"' in card, url
    assert re.search(r'data-setup="mail">\s*<span class="setup-mark" aria-hidden="true">✓', card)
    assert re.search(r'data-setup="mailbox">\s*<span class="setup-mark" aria-hidden="true">○', card)
    alice = join(household, "alice")
    link_mailbox(alice)
    Authenticator.objects.create(user=owner, type=Authenticator.Type.WEBAUTHN, data={"name": "key"})
    assert setup_card(client) is None
    # The polled fragment never carries it.
    Mailbox.objects.all().delete()
    assert "Set up OTP Dash" not in client.get(reverse("dashboard"), HTTP_HX_REQUEST="true").content.decode()
    assert "Set up OTP Dash" in setup_card(client)  # a household without a mailbox again: the card is back


def test_members_never_see_the_checklist(client, owner, household):
    alice = join(household, "alice")
    sign_in(client, alice)
    assert setup_card(client) is None
    assert setup_checklist(alice.member) is None
    admin = join(household, "adam", "admin")
    assert setup_checklist(admin.member) is not None  # admins run the household too


def test_the_banner_leads_to_the_mail_guide_which_names_real_settings(client, owner, settings):
    settings.EMAIL_HOST = ""
    sign_in(client, owner)
    page = client.get(reverse("dashboard")).content.decode()
    banner = re.search(r'<p class="alert mail-alert".*?</p>', page, re.S).group(0)
    assert f'href="{reverse("mail_setup")}"' in banner and 'class="alert-more"' in banner
    guide = client.get(reverse("mail_setup"))
    text = guide.content.decode()
    assert guide.status_code == 200
    for needle in (
        "smtp.gmail.com",
        "OTPDASH_SMTP_PORT=587",
        "smtp.fastmail.com",
        "OTPDASH_SMTP_PORT=465",
        "OTPDASH_SMTP_SSL=true",
        "OTPDASH_SMTP_PASSWORD_FILE",
        "myaccount.google.com/apppasswords",
        "Email is not set up",  # why, for this install
    ):
        assert needle in text, needle


def test_the_guide_shows_an_admin_the_settings_but_never_the_password(client, owner, settings):
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_SSL, settings.EMAIL_USE_TLS = (
        "smtp.fastmail.com",
        465,
        True,
        False,
    )
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "olivia@fastmail.com", "app-secret-123"
    sign_in(client, owner)
    text = client.get(reverse("mail_setup")).content.decode()
    assert "smtp.fastmail.com, port 465, SSL/TLS" in text and "olivia@fastmail.com (with a password)" in text
    assert "app-secret-123" not in text


def test_members_read_the_guide_without_the_installs_settings(client, household, owner, settings):
    settings.EMAIL_HOST, settings.EMAIL_HOST_USER = "smtp.internal.example", "relay-user"
    alice = join(household, "alice")
    sign_in(client, alice)
    text = client.get(reverse("mail_setup")).content.decode()
    assert "smtp.gmail.com" in text and "smtp.internal.example" not in text and "relay-user" not in text
    client.logout()
    response = client.get(reverse("mail_setup"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_settings_refuse_ssl_and_starttls_together(tmp_path):
    """Django would refuse only at the first mail, inside a background task: OTP Dash refuses to start."""
    import subprocess
    import sys

    env = {"OTPDASH_SMTP_SSL": "true", "OTPDASH_SMTP_STARTTLS": "true", "OTPDASH_DATA_DIR": str(tmp_path)}
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='otpdash.settings'; django.setup()"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "both true: choose one" in result.stderr
    del env["OTPDASH_SMTP_STARTTLS"]  # SSL alone (Fastmail's 465): STARTTLS follows as off
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_whoever_skipped_two_step_set_up_is_reminded_on_the_profile(client, household, owner):
    alice = join(household, "alice")
    for person in (alice, owner):
        sign_in(client, person)
        page = client.get(reverse("profile")).content.decode()
        assert "Two-step sign-in is off" in page and f'href="{reverse("mfa_index")}">Turn it on' in page
    Authenticator.objects.create(user=alice, type=Authenticator.Type.TOTP, data={})
    sign_in(client, alice)
    assert "Two-step sign-in is off" not in client.get(reverse("profile")).content.decode()


def test_the_join_page_says_what_this_is_who_invited_and_what_comes_next(client, owner, household):
    invitation = Invitation.objects.create(household=household, email="new@example.org", invited_by=owner)
    page = client.get(reverse("join", args=[invitation.token()])).content.decode()
    assert "Join Home" in page and "sign-in codes from Microsoft that you did not ask for" in page
    assert "Olivia invited you as <strong>member</strong>" in page and "of <strong>Home</strong>" in page
    assert "asks you to link your mailbox" in page and "never marks, moves or deletes" in page


def test_the_join_page_without_a_known_inviter_names_the_household(client, owner, household):
    invitation = Invitation.objects.create(household=household, email="new@example.org", invited_by=None)
    page = client.get(reverse("join", args=[invitation.token()])).content.decode()
    assert "You were invited as <strong>member</strong>" in page and "of <strong>Home</strong>" in page
    # An inviter from another household (altered data) is never named.
    elsewhere = Household.objects.create(name="Next door")
    ben = join(elsewhere, "ben", "owner")
    Invitation.objects.filter(pk=invitation.pk).update(invited_by=ben)
    page = client.get(reverse("join", args=[invitation.token()])).content.decode()
    assert "Ben invited" not in page and "You were invited" in page


def test_bad_join_input_says_what_is_wrong_and_keeps_what_was_typed(client, owner, household):
    invitation = Invitation.objects.create(household=household, email="new@example.org", invited_by=owner)
    data = {"display_name": "Newbie", "username": "newbie", "password1": "short", "password2": "short"}
    response = client.post(reverse("join", args=[invitation.token()]), data)
    page = response.content.decode()
    assert response.status_code == 400 and "too short" in page
    assert 'value="Newbie"' in page and 'value="newbie"' in page and "Olivia invited you" in page
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
