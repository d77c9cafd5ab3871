"""Why an address is on a list: enumeration evidence, codes of other providers at the same time,
and plus addresses or aliases that name the service whose data leaked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from msaccounts.exposure import hints_for
from msaccounts.models import Account
from tests.accounts_data import NIGHT, PETER_CODE, delivered_to
from tests.findings import OTHER_PROVIDER_SUBJECT_MAIL, arrive

pytestmark = pytest.mark.django_db
NOON = NIGHT + timedelta(hours=10)


def _hints(kind):
    return [h for h in hints_for(Account.objects.get()) if h.kind == kind]


def test_unsolicited_codes_are_enumeration_evidence_with_their_span_and_waves(member):
    arrive(member, NIGHT, mail=PETER_CODE)  # quiet hours: not the member's
    (hint,) = _hints("enumeration")
    assert hint.text.startswith("1 code nobody here asked for, from 20 Nov 2026 to 20 Nov 2026, in 1 wave:")
    arrive(member, NOON, mail=PETER_CODE)  # a daytime code waits for the member: no evidence yet
    assert _hints("enumeration")[0].text.startswith("1 code nobody")
    arrive(member, NIGHT + timedelta(days=3), mail=PETER_CODE)
    (hint,) = _hints("enumeration")
    assert hint.text.startswith("2 codes nobody here asked for, from 20 Nov 2026 to 23 Nov 2026, in 2 waves")
    assert hint.source == "the codes Microsoft sent" and hint.when == NIGHT + timedelta(days=3)


def test_another_providers_code_within_the_hour_says_the_list_is_tried_elsewhere(member):
    arrive(member, NIGHT, mail=PETER_CODE)
    arrive(member, NIGHT + timedelta(minutes=20), mail=OTHER_PROVIDER_SUBJECT_MAIL)
    (hint,) = _hints("elsewhere")
    assert hint.text.startswith("Codes from Google arrived within an hour of these")


def test_a_code_far_from_any_other_providers_code_says_nothing_of_it(member):
    arrive(member, NIGHT, mail=PETER_CODE)
    arrive(member, NIGHT + timedelta(hours=5), mail=OTHER_PROVIDER_SUBJECT_MAIL)
    assert _hints("elsewhere") == []


def test_a_plus_address_and_a_known_alias_name_whose_data_leaked(member):
    profile = member.member
    profile.addresses = [*profile.addresses, "pw-gaming@example.com"]
    profile.save()
    arrive(member, NIGHT, mail=delivered_to(PETER_CODE, "peter.weber+shop@example.com"))
    arrive(member, NIGHT + timedelta(minutes=5), mail=delivered_to(PETER_CODE, "pw-gaming@example.com"))
    (plus,) = _hints("plus")
    assert "reached peter.weber+shop@example.com" in plus.text and "“+shop”" in plus.text
    (alias,) = _hints("alias")
    assert "reached the alias pw-gaming@example.com" in alias.text
