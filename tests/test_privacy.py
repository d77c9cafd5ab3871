"""Every view, for everyone: anonymous, the member, another member, an admin, and a user of another household.

Each row says what status each of them gets; every page any of them sees is also searched for
things nobody may ever see (a full code, a mailbox password) and for the other household's names.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Household, Invitation
from incidents.models import Incident
from mailboxes.models import Mailbox
from msaccounts.models import Account
from notify.models import Channel
from tests.findings import SINGLE_USE, arrive
from tests.mailgen import CODE_MAIL_CODE
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db
NIGHT = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
ROLES = ("anonymous", "member", "other_member", "admin", "outsider")
SECRET = "alices-mailbox-secret-77"


@pytest.fixture
def world(django_user_model):
    home, next_door = Household.objects.create(name="Home"), Household.objects.create(name="Next door")
    users = {
        "owner": join(home, "olivia", "owner", staff=True),
        "admin": join(home, "adam", "admin"),
        "member": join(home, "alice", "member"),
        "other_member": join(home, "bob", "member"),
        "outsider": join(next_door, "xavier", "admin"),
    }
    mailbox = Mailbox(owner=users["member"], label="Alice private box", host="imap.example.com", username="alice")
    mailbox.set_secret(SECRET)
    mailbox.save()
    alice_code = arrive(users["member"], NIGHT, mail=SINGLE_USE)  # quiet hours: an incident
    bob_code = arrive(users["other_member"], NIGHT + timedelta(days=3))
    invitation = Invitation.objects.create(household=home, email="new@example.org", invited_by=users["owner"])
    channel = Channel(member=users["member"].member, label="Alice phone")
    channel.set_url("json://alice:alice-hook-secret@127.0.0.1:9/x", "json://alice:****@127.0.0.1:9/x")
    channel.save()
    return {
        "channel": channel,
        "users": users,
        "mailbox": mailbox,
        "alice_code": alice_code,
        "bob_code": bob_code,
        "incident": Incident.objects.get(member__user=users["member"]),
        "bob_incident": Incident.objects.get(member__user=users["other_member"]),
        "invitation": invitation,
        "account": Account.objects.get(member__user=users["member"]),
        "bob_account": Account.objects.get(member__user=users["other_member"]),
    }


def client_for(role, world) -> Client:
    client = Client()
    if role != "anonymous":
        sign_in(client, world["users"][role])
    return client


LOGIN = "login"  # a redirect to the sign-in page
# name, method, url(world), data, {role: status}; a missing role means "same as member".
VIEWS = [
    ("dashboard", "get", lambda w: reverse("dashboard"), None, {"anonymous": LOGIN, "member": 200}),
    ("me", "get", lambda w: reverse("me"), None, {"anonymous": LOGIN, "member": 200}),
    ("codes", "get", lambda w: reverse("codes"), None, {"anonymous": LOGIN, "member": 200}),
    ("codes all", "get", lambda w: reverse("codes") + "?who=all", None, {"anonymous": LOGIN, "member": 200}),
    (
        "answer",
        "post",
        lambda w: reverse("code_answer", args=[w["alice_code"].code]),
        {"status": "expected"},
        {"anonymous": LOGIN, "member": 302, "other_member": 404, "admin": 404, "outsider": 404},
    ),
    ("window", "post", lambda w: reverse("sign_in_window"), {}, {"anonymous": LOGIN, "member": 302}),
    ("incidents", "get", lambda w: reverse("incidents") + "?state=all", None, {"anonymous": LOGIN, "member": 200}),
    (
        "incident",
        "get",
        lambda w: reverse("incident_detail", args=[w["incident"].code]),
        None,
        {"anonymous": LOGIN, "member": 200, "other_member": 404, "admin": 200, "outsider": 404},
    ),
    (
        "incident action",
        "post",
        lambda w: reverse("incident_action", args=[w["incident"].code]),
        {"action": "acknowledge"},
        {"anonymous": LOGIN, "member": 403, "other_member": 403, "admin": 302, "outsider": 404},
    ),
    (
        "audit log",
        "get",
        lambda w: reverse("audit_log"),
        None,
        {"anonymous": LOGIN, "member": 403, "other_member": 403, "admin": 200, "outsider": 200},
    ),
    ("people", "get", lambda w: reverse("people"), None, {"anonymous": LOGIN, "member": 200}),
    (
        "invite",
        "post",
        lambda w: reverse("invite"),
        {"email": "someone@example.org", "role": "member"},
        {"anonymous": LOGIN, "member": 403, "other_member": 403, "admin": 200, "outsider": 200},
    ),
    (
        "revoke",
        "post",
        lambda w: reverse("invitation_revoke", args=[w["invitation"].code]),
        {},
        {"anonymous": LOGIN, "member": 403, "other_member": 403, "admin": 302, "outsider": 404},
    ),
    (
        "role",
        "post",
        lambda w: reverse("member_role", args=[w["users"]["other_member"].member.code]),
        {"role": "member"},
        {"anonymous": LOGIN, "member": 403, "other_member": 403, "admin": 302, "outsider": 404},
    ),
    (
        "remove page",
        "get",
        lambda w: reverse("member_remove", args=[w["users"]["other_member"].member.code]),
        None,
        {"anonymous": LOGIN, "member": 403, "other_member": 403, "admin": 200, "outsider": 404},
    ),
    (
        "settings",
        "post",
        lambda w: reverse("household_settings"),
        {"name": "Home"},
        {"anonymous": LOGIN, "member": 403, "other_member": 403, "admin": 302, "outsider": 302},
    ),
    (
        "settings by GET (a reload): back to the People page, never a blank 405",
        "get",
        lambda w: reverse("household_settings"),
        None,
        {"anonymous": LOGIN, "member": 403, "other_member": 403, "admin": 302, "outsider": 302},
    ),
    ("profile", "get", lambda w: reverse("profile"), None, {"anonymous": LOGIN, "member": 200}),
    ("mailboxes", "get", lambda w: reverse("mailboxes"), None, {"anonymous": LOGIN, "member": 200}),
    (
        "mailbox edit",
        "get",
        lambda w: reverse("mailbox_edit", args=[w["mailbox"].code]),
        None,
        {"anonymous": LOGIN, "member": 200, "other_member": 404, "admin": 404, "outsider": 404},
    ),
    (
        "mailbox remove",
        "get",
        lambda w: reverse("mailbox_remove", args=[w["mailbox"].code]),
        None,
        {"anonymous": LOGIN, "member": 200, "other_member": 404, "admin": 404, "outsider": 404},
    ),
    (
        "mailbox pause",
        "post",
        lambda w: reverse("mailbox_pause", args=[w["mailbox"].code]),
        {},
        {"anonymous": LOGIN, "member": 302, "other_member": 404, "admin": 404, "outsider": 404},
    ),
    (
        "django admin",
        "get",
        lambda w: reverse("admin:index"),
        None,
        {"anonymous": LOGIN, "member": 403, "other_member": 403, "admin": 403, "outsider": 403},
    ),
    ("whoami", "get", lambda w: reverse("whoami"), None, {"anonymous": LOGIN, "member": 200}),
    ("accounts", "get", lambda w: reverse("account_list"), None, {"anonymous": LOGIN, "member": 200}),
    (
        "account",
        "get",
        lambda w: reverse("account_detail", args=[w["account"].code]),
        None,
        {"anonymous": LOGIN, "member": 200, "other_member": 404, "admin": 200, "outsider": 404},
    ),
    (
        "account step",
        "post",
        lambda w: reverse("account_step", args=[w["account"].code]),
        {"step": "password", "state": "done"},
        {"anonymous": LOGIN, "member": 302, "other_member": 404, "admin": 302, "outsider": 404},
    ),
    (
        "account claim",
        "post",
        lambda w: reverse("account_claim", args=[w["account"].code]),
        {"address": "anna.weber@example.com"},
        {"anonymous": LOGIN, "member": 302, "other_member": 404, "admin": 302, "outsider": 404},
    ),
    (
        "breach settings",
        "get",
        lambda w: reverse("breach_settings"),
        None,
        {"anonymous": LOGIN, "member": 403, "other_member": 403, "admin": 200, "outsider": 200},
    ),
    ("notifications", "get", lambda w: reverse("notifications"), None, {"anonymous": LOGIN, "member": 200}),
    (
        "mailbox reconnect",
        "post",
        lambda w: reverse("oauth_reconnect", args=[w["mailbox"].code]),
        {},
        # The owner's own password mailbox: no provider to sign in with, so back to the list.
        {"anonymous": LOGIN, "member": 302, "other_member": 404, "admin": 404, "outsider": 404},
    ),
    (
        "channel action",
        "post",
        lambda w: reverse("channel_action", args=[w["channel"].code]),
        {"action": "disable"},
        {"anonymous": LOGIN, "member": 302, "other_member": 404, "admin": 404, "outsider": 404},
    ),
    ("setup", "get", lambda w: reverse("setup"), None, {"anonymous": LOGIN, "member": LOGIN}),
    ("join", "get", lambda w: reverse("join", args=[w["invitation"].token()]), None, {"anonymous": 200, "member": 409}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", VIEWS, ids=[v[0] for v in VIEWS])
def test_each_view_for_each_role(world, view, role):
    name, method, url, data, expected = view
    want = expected.get(role, expected["member"] if role != "anonymous" else LOGIN)
    client = client_for(role, world)
    response = getattr(client, method)(url(world), data or {})
    if response.status_code == 302 and response["Location"].startswith("/admin/login/"):
        response = client.get(response["Location"])  # the admin's own login page: allauth's, guarded
    if want == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login")), name
        return
    assert response.status_code == want, (name, role, response.status_code)
    page = response.content.decode()
    assert CODE_MAIL_CODE not in page and SECRET not in page and "alice-hook-secret" not in page
    if role == "outsider":
        assert "Alice" not in page and "Bob" not in page and "alice" not in page


def page(world, role, url) -> str:
    response = client_for(role, world).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_members_see_their_own_codes_and_admins_everyones(world):
    alice, bob = str(world["alice_code"].code), str(world["bob_code"].code)
    for url in (reverse("codes"), reverse("codes") + "?who=all", reverse("me")):
        seen = page(world, "member", url)
        assert alice in seen and bob not in seen
    everyone = page(world, "admin", reverse("codes") + "?who=all")
    assert alice in everyone and bob in everyone and "That was me" not in everyone  # admins cannot answer for others
    assert page(world, "admin", reverse("codes")).count("code-row") == 0


def test_members_see_their_own_incidents_admins_all(world):
    mine, bobs = str(world["incident"].code), str(world["bob_incident"].code)
    member_view = page(world, "member", reverse("incidents") + "?state=all")
    assert mine in member_view and bobs not in member_view
    admin_view = page(world, "admin", reverse("incidents") + "?state=all")
    assert mine in admin_view and bobs in admin_view
    assert mine not in page(world, "outsider", reverse("incidents") + "?state=all")


def test_the_dashboard_shows_household_aggregates_but_no_one_elses_details(world):
    seen = page(world, "member", reverse("dashboard"))
    assert "Alice" in seen and "Bob" in seen  # names in the chart legend and health table
    assert "Alice private box" not in seen and "imap.example.com" not in seen
    assert str(world["bob_incident"].code) not in seen


def test_the_owner_reaches_the_django_admin_and_it_never_shows_a_secret(world):
    client = client_for("owner", world)
    assert client.get(reverse("admin:index")).status_code == 200
    detail = client.get(reverse("admin:mailboxes_mailbox_change", args=[world["mailbox"].pk])).content.decode()
    assert SECRET not in detail and world["mailbox"].secret_sealed not in detail


def test_members_see_their_own_accounts_and_the_households_counts_admins_everyones(world):
    alice, bob = str(world["account"].code), str(world["bob_account"].code)
    for url in (reverse("dashboard"), reverse("me"), reverse("account_list")):
        seen = page(world, "member", url)
        assert alice in seen and bob not in seen, url
    counts = " ".join(page(world, "member", reverse("dashboard")).split())
    assert "The household: 2 accounts, 0 with every step settled, 0 under attack now." in counts
    for url in (reverse("dashboard"), reverse("account_list")):
        seen = page(world, "admin", url)
        assert alice in seen and bob in seen, url
    dashboard = page(world, "admin", reverse("dashboard"))
    assert "Bob</strong>: Change the password" in dashboard
    assert "Not yet acknowledged “never enter or read out a code you did not ask for”" in dashboard
