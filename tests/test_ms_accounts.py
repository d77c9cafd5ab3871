"""Microsoft accounts: masked hints resolved to known addresses (one fit, none, two), merging by one
click, and merged records' waves becoming one incident."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from incidents.models import AuditEvent, Incident, Severity
from msaccounts.models import Account
from tests.accounts_data import MARC_CODE, NIGHT, PETER_ALERT, PETER_CODE, delivered_to
from tests.corpus_labels import CORPUS
from tests.findings import arrive
from tests.people import sign_in

pytestmark = pytest.mark.django_db


def test_a_hint_is_resolved_by_the_address_the_mail_was_delivered_to(member):
    finding = arrive(member, NIGHT, mail=MARC_CODE)
    account = Account.objects.get()
    assert finding.account_hint == "ma**s@example.org" and finding.recipient == "marc.dubois@example.org"
    assert (account.address, account.resolved, account.hints) == (
        "marc.dubois@example.org",
        True,
        ["ma**s@example.org"],
    )
    assert Incident.objects.get().account == account


def test_a_hint_that_fits_nothing_known_stays_a_hint_until_the_member_adds_the_address(member):
    arrive(member, NIGHT, mail=delivered_to(MARC_CODE, "family@example.net"))
    hinted = Account.objects.get()
    assert (hinted.address, hinted.resolved) == ("ma**s@example.org", False)
    profile = member.member
    profile.addresses = [*profile.addresses, "marc.dubois@example.org"]
    profile.save()  # the profile form saves the same way
    account = Account.objects.get()
    assert (account.address, account.resolved, account.hints) == (
        "marc.dubois@example.org",
        True,
        ["ma**s@example.org"],
    )
    assert account.findings.count() == 1 and Incident.objects.get().account == account
    assert AuditEvent.objects.filter(action="account.merged").count() == 1


def test_two_fitting_addresses_leave_a_hint_and_one_click_merges_it(client, member):
    profile = member.member
    profile.addresses = ["marc.dubois@example.org", "mara.lopes@example.org"]
    profile.save()
    arrive(member, NIGHT, mail=delivered_to(MARC_CODE, "family@example.net"))
    hinted = Account.objects.get()
    assert not hinted.resolved
    sign_in(client, member)
    page = client.get(reverse("account_detail", args=[hinted.code])).content.decode()
    assert (
        "This is my address: marc.dubois@example.org" in page and "This is my address: mara.lopes@example.org" in page
    )

    url = reverse("account_claim", args=[hinted.code])
    wrong = client.post(url, {"address": "paul.smith@example.org"}, follow=True).content.decode()
    assert "does not fit ma**s@example.org" in wrong
    assert Account.objects.get(pk=hinted.pk).findings.count() == 1  # nothing lost

    response = client.post(url, {"address": "marc.dubois@example.org"})
    account = Account.objects.get()
    assert response.url == reverse("account_detail", args=[account.code])
    assert (account.address, account.resolved) == ("marc.dubois@example.org", True)
    assert account.findings.count() == 1 and Incident.objects.get().account == account
    assert AuditEvent.objects.get(action="account.merged").actor == member


def test_merging_folds_the_two_records_waves_into_one_incident(client, member, household):
    from tests.people import join

    profile = member.member
    profile.addresses = ["petra.bauer@example.com", "penny.baker@example.com"]  # pe**r@example.com: two fits
    profile.save()
    arrive(member, NIGHT, mail=delivered_to(PETER_ALERT, "family@example.net"))
    arrive(member, NIGHT + timedelta(hours=1), mail=PETER_CODE)
    assert sorted(Account.objects.values_list("address", flat=True)) == ["pe**r@example.com", "peter.weber@example.com"]
    assert Incident.objects.count() == 2
    owner = join(household, "olivia", "owner")
    sign_in(client, owner)  # an admin may settle it on the member's behalf
    hinted = Account.objects.get(resolved=False)
    client.post(reverse("account_claim", args=[hinted.code]), {"address": "peter.weber@example.com"})
    incident = Incident.objects.get()
    assert incident.account.address == "peter.weber@example.com" and incident.findings.count() == 2
    assert incident.severity == Severity.HIGH and incident.opened_at == NIGHT
    # The admin's word resolves the account; the member's own profile is theirs to write.
    assert Account.objects.get().member.addresses == ["petra.bauer@example.com", "penny.baker@example.com"]


@pytest.mark.parametrize(
    "said",
    ['ma"><svg/onload=alert(1)>s@example.org', "marcs@example.org\r\nBcc: x@evil.example", "ma rcs@example.org"],
)
def test_a_claimed_address_must_be_an_email_address(client, member, said):
    arrive(member, NIGHT, mail=delivered_to(MARC_CODE, "family@example.net"))
    hinted = Account.objects.get()
    before = list(member.member.addresses)
    sign_in(client, member)
    page = client.post(reverse("account_claim", args=[hinted.code]), {"address": said}, follow=True)
    assert "is not an email address" in page.content.decode()
    assert Account.objects.get().address == "ma**s@example.org"
    member.member.refresh_from_db()
    assert member.member.addresses == before


def test_a_member_cannot_claim_another_members_hint(client, member, other_member):
    arrive(member, NIGHT, mail=delivered_to(MARC_CODE, "family@example.net"))
    hinted = Account.objects.get()
    sign_in(client, other_member)
    response = client.post(reverse("account_claim", args=[hinted.code]), {"address": "marc.dubois@example.org"})
    assert response.status_code == 404
    assert Account.objects.get().address == "ma**s@example.org"


def test_an_address_with_a_date_in_it_is_stored_whole_and_is_its_own_account(member):
    """Digit runs in an address are not codes (facts §2.1: the greeting carries the full address)."""
    finding = arrive(member, NIGHT, mail=CORPUS / "ms_otp" / "en_single_use_digits_in_address.eml")
    assert finding.account_hint == "kid.20140526@example.com" and finding.codes_masked
    account = Account.objects.get()
    assert (account.address, account.resolved) == ("kid.20140526@example.com", True)


def test_the_account_page_shows_each_wave_with_its_codes_per_day_and_the_notices(client, member):
    arrive(member, NIGHT, mail=PETER_CODE)
    arrive(member, NIGHT + timedelta(hours=23), mail=PETER_CODE)  # the next day, the same wave
    arrive(member, NIGHT + timedelta(hours=23, minutes=5), mail=PETER_ALERT)
    arrive(member, NIGHT + timedelta(days=4), mail=PETER_CODE)  # a new wave
    sign_in(client, member)
    account = Account.objects.get()
    page = " ".join(client.get(reverse("account_detail", args=[account.code])).content.decode().split())
    assert "Fri 20 Nov: 1 code</li><li>Sat 21 Nov: 1 code" in page and "Tue 24 Nov: 1 code" in page
    assert page.index("Tue 24 Nov") < page.index("Fri 20 Nov")  # the newest wave first
    assert "3 codes" in page and "under attack" not in page and "quiet since 24 Nov 2026" in page
    assert "unusual sign-in activity" in page
    assert "113.161.72.9, Vietnam, Android / Chrome Mobile, 27 Feb 2026, 02:37 UTC" in page
