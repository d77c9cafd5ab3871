"""The Django admin shows the install's owner their own household only, and never lets them move
a mailbox's password to another server."""

from __future__ import annotations

import pytest

from accounts.models import Household
from mailboxes.models import Mailbox
from msaccounts.models import Account, StepMark
from tests.accounts_data import NIGHT, PETER_CODE, delivered_to
from tests.findings import OTHER_PROVIDER_SUBJECT_MAIL, arrive, arrive_raw
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_households():
    home = Household.objects.create(name="Home")
    office = Household.objects.create(name="Office")
    owner = join(home, "olivia", "owner", staff=True)
    other = join(office, "oscar", "owner")
    mailbox = Mailbox(owner=other, label="Oscar work", host="imap.office.example", username="oscar@office.example")
    mailbox.set_secret("oscars-secret-1")
    mailbox.save()
    arrive_raw(other, OTHER_PROVIDER_SUBJECT_MAIL.replace(b"Google verification", b"Office-only subject"))
    arrive(other, NIGHT, mail=delivered_to(PETER_CODE, "oscar@office.example"))  # an account and its wave
    StepMark.objects.create(account=Account.objects.get(member__user=other), step="password", state="done")
    mine = Mailbox(owner=owner, label="Olivia home", host="imap.home.example", username="olivia@home.example")
    mine.set_secret("olivias-secret-1")
    mine.save()
    return owner, other, mailbox, mine


def test_the_install_owner_sees_no_other_households_rows(client, two_households):
    owner, other, theirs, mine = two_households
    sign_in(client, owner)
    for url in (
        "/admin/scanner/finding/",
        "/admin/mailboxes/mailbox/",
        "/admin/scanner/sighting/",
        "/admin/auth/user/",
        "/admin/accounts/household/",
        "/admin/incidents/incident/",
        "/admin/msaccounts/account/",
        "/admin/msaccounts/stepmark/",
        "/admin/msaccounts/breachcheck/",
        "/admin/account/emailaddress/",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        assert "Office-only subject" not in text and "Oscar" not in text and "oscar" not in text, url
        assert "peter.weber" not in text, url
    assert "Olivia home" in client.get("/admin/mailboxes/mailbox/").content.decode()
    assert client.get(f"/admin/mailboxes/mailbox/{theirs.pk}/change/").status_code in (302, 404)


def test_where_a_mailbox_connects_cannot_be_changed_in_the_admin(client, two_households):
    owner, _, _, mine = two_households
    sign_in(client, owner)
    page = client.get(f"/admin/mailboxes/mailbox/{mine.pk}/change/").content.decode()
    assert 'name="host"' not in page and 'name="username"' not in page and 'name="port"' not in page
    client.post(
        f"/admin/mailboxes/mailbox/{mine.pk}/change/",
        {
            "label": "Olivia home",
            "host": "evil.example",
            "port": 1143,
            "security": "plain",
            "username": "x",
            "folders": "[]",
            "poll_minutes": 10,
            "backfill_days": 90,
            "enabled": "on",
        },
    )
    mine.refresh_from_db()
    assert (mine.host, mine.port, mine.security, mine.username) == (
        "imap.home.example",
        993,
        "ssl",
        "olivia@home.example",
    )
    assert client.get("/admin/mailboxes/mailbox/add/").status_code == 403
