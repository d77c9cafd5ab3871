"""`manage.py household`: a second household for another team, its owner joining by the printed link."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Household, Member

pytestmark = pytest.mark.django_db


def test_add_a_household_and_its_owner_joins_by_the_link(client, member):
    out = StringIO()
    call_command(
        "household",
        "add",
        "Team B",
        "--owner-email",
        "Lead@Example.org",
        "--base-url",
        "https://otp.example.org/",
        stdout=out,
    )
    link = out.getvalue().strip().splitlines()[-1]
    assert link.startswith("https://otp.example.org/join/")
    path = link.removeprefix("https://otp.example.org")
    response = client.post(
        path,
        {
            "display_name": "Lead",
            "username": "lead",
            "password1": "team b lead password 3",
            "password2": "team b lead password 3",
        },
    )
    assert response.status_code == 302
    lead = Member.objects.get(user__username="lead")
    assert lead.role == Member.Role.OWNER and lead.household.name == "Team B"
    assert lead.user.email == "lead@example.org" and not lead.user.is_staff
    listing = StringIO()
    call_command("household", "list", stdout=listing)
    assert "Home: Alice (member)" in listing.getvalue() and "Team B: Lead (owner)" in listing.getvalue()


@pytest.mark.parametrize(
    "args, message",
    [
        (["add", " ", "--owner-email", "a@example.org"], "1 to 100 characters"),
        (["add", "Team C", "--owner-email", "not-an-address"], "is not an email address"),
    ],
)
def test_bad_input_is_refused_and_creates_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("household", *args)
    assert not Household.objects.exists()
