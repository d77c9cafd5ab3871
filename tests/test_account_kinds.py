"""An account's kind chooses its steps: a personal Microsoft account keeps account.live.com, a work or
school account (Microsoft Entra ID) gets My Sign-Ins, Security info and "tell your IT admin". The kind
is told from the address and Microsoft's mail, and the person's word wins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from incidents.models import AuditEvent
from msaccounts import checklist, kinds, linking
from msaccounts.models import Account
from tests.accounts_data import NIGHT, PETER_CODE
from tests.corpus_labels import CORPUS
from tests.findings import arrive
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db
ENTRA_CODE = CORPUS / "ms_security" / "en_entra_email_verification_code_marc.eml"  # to marc.dubois@example.org


@pytest.mark.parametrize(
    ("address", "templates", "kind"),
    [
        ("ja**a@outlook.com", {"entra_email_verification"}, "personal"),  # Microsoft's consumer domain decides
        ("someone@hotmail.co.uk", set(), "personal"),
        ("someone@live.de", set(), "personal"),
        ("someone@msn.com", set(), "personal"),
        ("someone@outlook.example.org", set(), "unknown"),  # a company's own host called outlook: not a freemail
        ("it@contoso.onmicrosoft.com", set(), "work_or_school"),
        ("marc@example.org", {"entra_email_verification"}, "work_or_school"),
        ("marc@example.org", {"msa_single_use_v2", "msa_unusual_signin"}, "personal"),
        ("marc@example.org", {"entra_email_verification", "msa_security_code"}, "unknown"),  # both: the person says
        ("marc@example.org", {"unknown", ""}, "unknown"),
    ],
)
def test_the_kind_comes_from_the_domain_then_from_microsofts_mail(address, templates, kind):
    assert kinds.detect(address, templates) == kind


def test_entra_mail_makes_a_work_or_school_account_with_entras_pages(client, member):
    arrive(member, NIGHT, mail=ENTRA_CODE)
    account = Account.objects.get()
    assert (account.address, account.kind, account.kind_by_person) == (
        "marc.dubois@example.org",
        "work_or_school",
        False,
    )
    steps = checklist.steps_for(account)
    assert [s.key for s in steps] == ["password", "two_step", "activity", "security_info", "it_admin"]
    assert all(s.url.startswith("https://mysignins.microsoft.com/") for s in steps if s.key != "it_admin")
    assert next(s for s in steps if s.key == "it_admin").url == ""  # done by telling someone, not on a page
    sign_in(client, member)
    page = client.get(reverse("account_detail", args=[account.code])).content.decode()
    assert "https://mysignins.microsoft.com/security-info/password/change" in page
    assert 'href="https://mysignins.microsoft.com/security-info"' in page and "Tell your IT admin" in page
    assert "account.live.com" not in page and "0 of 5 steps settled" in page


def test_the_person_says_which_kind_and_the_mail_no_longer_decides(client, member, other_member, household):
    arrive(member, NIGHT, mail=PETER_CODE)
    account = Account.objects.get()
    assert account.kind == "personal"  # the Microsoft account team wrote about it
    sign_in(client, member)
    url = reverse("account_kind", args=[account.code])
    response = client.post(url, {"kind": "work_or_school"})
    assert response.url.endswith("#kind")
    account.refresh_from_db()
    assert (account.kind, account.kind_by_person) == ("work_or_school", True)
    assert AuditEvent.objects.get(action="account.kind").summary == (
        "peter.weber@example.com: work or school account (said on its page)"
    )
    arrive(member, NIGHT + timedelta(days=3), mail=PETER_CODE)  # more personal-account mail
    account.refresh_from_db()
    assert account.kind == "work_or_school"
    page = client.get(reverse("account_detail", args=[account.code])).content.decode()
    assert "account.live.com" not in page and "as said on this page" in page

    # Bad input: a clear message, and the kind stays as it was.
    bad = client.post(url, {"kind": "banana"}, follow=True)
    assert (
        "Choose a personal Microsoft account, a work or school account, or let OTP Dash tell." in bad.content.decode()
    )
    account.refresh_from_db()
    assert account.kind == "work_or_school"
    # Another member of the household does not see the account at all, as with its steps.
    sign_in(client, other_member)
    assert client.post(url, {"kind": "personal"}).status_code == 404
    # "Let OTP Dash tell" hands it back to the mail; saying the same again records nothing.
    sign_in(client, join(household, "olivia", "owner"))
    client.post(url, {"kind": "auto"})
    account.refresh_from_db()
    assert (account.kind, account.kind_by_person) == ("personal", False)
    client.post(url, {"kind": "auto"})
    assert AuditEvent.objects.filter(action="account.kind").count() == 2


def test_a_hint_merged_into_its_address_keeps_what_the_person_said(member):
    hinted = Account.objects.create(member=member.member, address="pe**r@example.com", kind="work_or_school",
                                    kind_by_person=True)  # fmt: skip
    target = linking.merge_into_address(hinted, "peter.weber@example.com", actor=member)
    assert (target.kind, target.kind_by_person) == ("work_or_school", True)


def test_an_admin_sees_why_a_column_is_empty_for_another_kind(client, member, household):
    arrive(member, NIGHT, mail=ENTRA_CODE)
    arrive(member, NIGHT, mail=PETER_CODE)
    sign_in(client, join(household, "olivia", "owner"))
    page = client.get(reverse("dashboard")).content.decode()
    # Both kinds in the household: the IT-admin column, blank (and said so) on the personal account's row.
    assert 'data-step="it_admin"' in page and "only for a work or school account" in page
    assert 'data-step="alias"' in page and "not for a work or school account" in page
