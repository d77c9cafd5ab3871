"""The mail's own page: what OTP Dash saw, to whom it is shown, and that nothing on it can be clicked by
mistake."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from django.urls import reverse

from accounts.models import Household
from incidents import triage
from scanner.models import Finding
from tests.findings import PHISHING, SINGLE_USE, arrive
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def _page(client, finding) -> tuple[int, str]:
    response = client.get(reverse("finding_detail", args=[finding.code]))
    return response.status_code, response.content.decode()


def test_a_lookalike_shows_what_gives_it_away_and_no_link_of_its_own(client, member):
    finding = arrive(member, NOON, PHISHING)
    assert finding.category == "phishing"
    status, page = _page(sign_in(client, member), finding)
    assert status == 200
    assert "Your single-use code" in page
    assert "Microsoft account team &lt;account-security-noreply@<wbr>accountprotection-microsoft<wbr>.com&gt;" in page
    assert "What gives it away" in page
    for reason in finding.reasons:
        assert str(reason).replace("'", "&#x27;").replace('"', "&quot;") in page
    # The mail's hosts may appear as text, but never as a link.
    hrefs = re.findall(r'href="([^"]+)"', page)
    assert hrefs and not [h for h in hrefs if "microsoft-verify" in h or "accountprotection" in h]


def test_a_code_shows_its_masked_code_sender_verdict_and_the_answer_buttons(client, member):
    finding = arrive(member, NOON, SINGLE_USE)
    status, page = _page(sign_in(client, member), finding)
    assert status == 200
    assert "****" + finding.codes_masked[0][-2:] in page
    assert finding.sender_verdict in page
    assert "That was me" in page and "Not me" in page
    assert "imported from a file" in page  # arrive() imports: no mailbox folder to name


def test_the_answer_form_returns_to_the_page(client, member):
    finding = arrive(member, NOON, SINGLE_USE)
    url = reverse("finding_detail", args=[finding.code])
    client = sign_in(client, member)
    response = client.post(reverse("code_answer", args=[finding.code]), {"status": "expected", "next": url})
    assert response.status_code == 302 and response.url == url
    finding.refresh_from_db()
    assert finding.status == Finding.Status.EXPECTED
    assert "Alice said: that was me" in _page(client, finding)[1]


def test_only_the_owner_and_the_households_admins_see_it(client, member, other_member, household):
    finding = arrive(member, NOON, PHISHING)
    admin = join(household, "carol", "admin")
    stranger_admin = join(Household.objects.create(name="Next door"), "dave", "admin")
    assert _page(sign_in(client, other_member), finding)[0] == 404
    assert _page(sign_in(client, stranger_admin), finding)[0] == 404
    status, page = _page(sign_in(client, admin), finding)
    assert status == 200 and "Alice" in page
    # Where it sits in Alice's mailbox is for Alice, who can delete it.
    assert "Where it is" not in page
    assert finding in triage.visible_findings(admin.member, everyone=True)


def test_the_code_list_links_each_row_to_its_page(client, member):
    finding = arrive(member, NOON, SINGLE_USE)
    page = sign_in(client, member).get(reverse("codes")).content.decode()
    assert reverse("finding_detail", args=[finding.code]) in page


@pytest.mark.parametrize(
    ("auth", "words"),
    [
        ("pass", "checked: it really was sent by example.org"),
        ("fail", "forged: the checks say example.org did not send it"),
        ("none", "not proven: nothing confirms example.org sent it"),
        ("unknown", "unchecked: the mail server wrote no verdict on who sent it"),
    ],
)
def test_the_sender_verdict_in_words(auth, words):
    assert Finding(sender="Someone <a@example.org>", sender_auth=auth).sender_verdict == words


def test_the_address_filter_breaks_at_parts_and_escapes():
    from otpdash.textfilters import address

    assert address("jane.doe@example.org") == "jane<wbr>.doe@<wbr>example<wbr>.org"
    assert address("<b>x@y</b>") == "&lt;b&gt;x@<wbr>y&lt;/b&gt;"
