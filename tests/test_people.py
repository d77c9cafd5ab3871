"""First start, invitations, roles, removal, profiles, the recent-password check and required MFA."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from accounts.models import Household, Invitation, Member
from incidents.models import AuditEvent
from mailboxes.models import Mailbox
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db
User = get_user_model()
OWNER = {
    "household": "The Webers",
    "display_name": "Olivia",
    "username": "olivia",
    "email": "olivia@example.org",
    "password1": "correct horse battery staple",
    "password2": "correct horse battery staple",
}


def test_a_fresh_install_offers_the_owner_account_once(client):
    assert client.get("/")["Location"] == reverse("setup")
    page = client.get(reverse("setup")).content.decode()
    assert "Create the owner account" in page and "no default password" in page
    response = client.post(reverse("setup"), OWNER)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    owner = User.objects.get()
    assert owner.is_staff and owner.is_superuser and owner.member.role == Member.Role.OWNER
    assert owner.member.household.name == "The Webers" and owner.member.addresses == ["olivia@example.org"]
    # Never again: not for a visitor, not for a second attempt.
    client.post(reverse("account_logout"))
    assert client.get(reverse("setup"))["Location"] == reverse("account_login")
    again = client.post(reverse("setup"), {**OWNER, "username": "mallory", "email": "m@example.org"})
    assert again.status_code == 302 and User.objects.count() == 1


@pytest.mark.parametrize(
    "password, message",
    [
        ("short", "too short"),
        ("password123", "too common"),
        ("olivia@example.org", "too similar"),
        ("12345678901234", "entirely numeric"),
    ],
)
def test_set_up_refuses_weak_passwords_with_the_validators_words(client, password, message):
    response = client.post(reverse("setup"), {**OWNER, "password1": password, "password2": password})
    assert response.status_code == 400 and message in response.content.decode()
    assert not User.objects.exists()


def test_set_up_says_when_the_two_passwords_differ(client):
    response = client.post(reverse("setup"), {**OWNER, "password2": "something else entirely 42"})
    assert response.status_code == 400 and "The two passwords differ" in response.content.decode()


@pytest.fixture
def owner(household):
    return join(household, "olivia", "owner", staff=True)


def invite(client, role="member", email="newbie@example.org"):
    response = client.post(reverse("invite"), {"email": email, "role": role})
    assert response.status_code == 200
    return response.context["link"]


def test_an_invitation_link_makes_one_member_once(client, owner):
    sign_in(client, owner)
    link = invite(client)
    client.post(reverse("account_logout"))
    path = link.split("testserver", 1)[1]
    page = client.get(path).content.decode()
    assert "Join Home" in page and 'value="newbie@example.org"' in page
    data = {
        "display_name": "Newbie",
        "username": "newbie",
        "email": "attacker@example.org",
        "password1": "a perfectly long password 5",
        "password2": "a perfectly long password 5",
    }
    response = client.post(path, data)
    assert response.status_code == 302 and response["Location"] == reverse("me")
    newbie = User.objects.get(username="newbie")
    assert newbie.email == "newbie@example.org"  # the invited address, whatever the form said
    assert newbie.member.household == owner.member.household and newbie.member.role == Member.Role.MEMBER
    assert not newbie.is_staff
    client.post(reverse("account_logout"))
    assert client.get(path).status_code == 410
    assert client.post(path, {**data, "username": "second"}).status_code == 410
    assert not User.objects.filter(username="second").exists()
    assert AuditEvent.objects.filter(action="member.joined").count() == 1


def test_expired_altered_and_withdrawn_invitations_do_not_work(client, owner, household):
    old = Invitation.objects.create(household=household, email="old@example.org")
    Invitation.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert client.get(reverse("join", args=[old.token()])).status_code == 410
    fresh = Invitation.objects.create(household=household, email="fresh@example.org")
    assert client.get(reverse("join", args=[fresh.token()[:-2] + "xx"])).status_code == 410
    sign_in(client, owner)
    client.post(reverse("invitation_revoke", args=[fresh.code]))
    client.post(reverse("account_logout"))
    assert client.get(reverse("join", args=[fresh.token()])).status_code == 410


def test_only_the_owner_makes_admins(client, owner, household):
    admin = join(household, "adam", "admin")
    sign_in(client, admin)
    response = client.post(reverse("invite"), {"email": "x@example.org", "role": "admin"}, follow=True)
    assert "Only the owner can invite an admin" in response.content.decode()
    assert not Invitation.objects.exists()
    bob = join(household, "bob")
    assert client.post(reverse("member_role", args=[bob.member.code]), {"role": "admin"}).status_code == 403
    assert client.post(reverse("member_role", args=[owner.member.code]), {"role": "member"}).status_code == 403
    sign_in(client, owner)
    client.post(reverse("member_role", args=[bob.member.code]), {"role": "admin"})
    assert Member.objects.get(user=bob).role == Member.Role.ADMIN
    assert AuditEvent.objects.filter(action="member.role", actor=owner).exists()


def test_removing_a_member_removes_their_mailboxes_and_secrets(client, owner, household):
    bob = join(household, "bob")
    mailbox = Mailbox(owner=bob, label="Bob box", host="imap.example.com", username="bob")
    mailbox.set_secret("bobs secret 1")
    mailbox.save()
    sign_in(client, owner)
    page = client.get(reverse("member_remove", args=[bob.member.code])).content.decode()
    assert "1 linked mailbox" in page
    assert client.post(reverse("member_remove", args=[bob.member.code])).status_code == 302
    assert not User.objects.filter(username="bob").exists() and not Mailbox.objects.exists()
    assert AuditEvent.objects.get(action="member.removed").summary.startswith("Removed Bob")


def test_sensitive_actions_ask_for_the_password_again_after_a_while(client, member):
    sign_in(client, member, checked_ago=3600)
    response = client.get(reverse("mailbox_new"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    confirm = client.post(response["Location"], {"password": "a long household password 1"})
    assert confirm.status_code in (200, 302)
    assert client.get(reverse("mailbox_new")).status_code == 200
    sign_in(client, member, checked_ago=60)
    assert client.get(reverse("mailbox_new")).status_code == 200
    assert client.get(reverse("mailboxes")).status_code == 200  # looking needs no new check


def test_a_household_that_requires_mfa_sends_members_to_set_it_up(client, member, household):
    household.require_mfa = True
    household.save()
    sign_in(client, member)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    Authenticator.objects.create(user=member, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_profile_keeps_time_zone_quiet_hours_and_addresses(client, member):
    sign_in(client, member)
    data = {
        "display_name": "Alice W",
        "time_zone": "Europe/Berlin",
        "quiet_start": "22:00",
        "quiet_end": "06:30",
        "addresses": "Alice@Example.org\nalice.work@example.com, alice@example.org",
    }
    assert client.post(reverse("profile"), data).status_code == 302
    profile = Member.objects.get(user=member)
    assert profile.time_zone == "Europe/Berlin" and f"{profile.quiet_start:%H:%M}" == "22:00"
    assert profile.addresses == ["alice@example.org", "alice.work@example.com"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"time_zone": "Mars/Olympus"}, "is not a time zone we know"),
        ({"time_zone": "Germany"}, "Germany has 2 time zones (Europe/Berlin, Europe/Busingen); pick one"),
        ({"time_zone": " "}, "This field is required"),
        ({"quiet_start": "25:00"}, "Enter a valid time"),
        ({"addresses": "alice@example.org\nnot an address"}, "Not an email address: not an address"),
        ({"display_name": ""}, "This field is required"),
    ],
)
def test_bad_profile_input_gets_a_clear_message_and_changes_nothing(client, member, change, message):
    sign_in(client, member)
    data = {
        "display_name": "Alice",
        "time_zone": "UTC",
        "quiet_start": "23:00",
        "quiet_end": "07:00",
        "addresses": "alice@example.org",
        **change,
    }
    response = client.post(reverse("profile"), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert Member.objects.get(user=member).time_zone == "UTC"


def test_a_user_outside_any_household_gets_a_page_not_an_error(client, db):
    loner = User.objects.create_user("loner", password="x loner password 1")
    sign_in(client, loner)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 403 and "not in a household" in response.content.decode()


def test_households_are_separate(client):
    first, second = Household.objects.create(name="A"), Household.objects.create(name="B")
    a, b = join(first, "anna", "owner"), join(second, "ben", "owner")
    sign_in(client, a)
    page = client.get(reverse("people")).content.decode()
    assert "Anna" in page and "Ben" not in page
    assert client.get(reverse("member_remove", args=[b.member.code])).status_code == 404


def test_changing_a_role_after_a_while_asks_for_the_password_then_does_it(client, owner, household):
    bob = join(household, "bob")
    sign_in(client, owner, checked_ago=3600)
    response = client.post(reverse("member_role", args=[bob.member.code]), {"role": "admin"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    assert Member.objects.get(user=bob).role == Member.Role.MEMBER
    wrong = client.post(response["Location"], {"password": "not the password"})
    assert wrong.status_code == 200 and Member.objects.get(user=bob).role == Member.Role.MEMBER
    client.post(response["Location"], {"password": "olivia has a long password 9"})
    assert Member.objects.get(user=bob).role == Member.Role.ADMIN  # the suspended request went through


def test_the_audit_log_keeps_its_lines_when_a_member_and_their_incidents_go(client, owner, household):
    from datetime import datetime
    from datetime import timezone as tz

    from tests.findings import arrive

    bob = join(household, "bob")
    arrive(bob, datetime(2026, 11, 20, 2, 0, tzinfo=tz.utc))  # quiet hours: an incident of Bob's
    before = AuditEvent.objects.count()
    sign_in(client, owner)
    client.post(reverse("member_remove", args=[bob.member.code]))
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.filter(action="incident.opened", incident__isnull=True).exists()


def test_inviting_an_admin_asks_for_the_password_again_a_member_does_not(client, owner):
    from accounts.models import Invitation

    sign_in(client, owner, checked_ago=3600)
    response = client.post(reverse("invite"), {"email": "new.admin@example.org", "role": "admin"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    assert not Invitation.objects.exists()
    response = client.post(reverse("invite"), {"email": "new.member@example.org", "role": "member"})
    assert response.status_code == 200 and Invitation.objects.get().role == "member"
    sign_in(client, owner)
    response = client.post(reverse("invite"), {"email": "new.admin@example.org", "role": "admin"})
    assert response.status_code == 200 and Invitation.objects.filter(role="admin").exists()
