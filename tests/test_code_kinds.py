"""The codes page is four lists: Microsoft codes (answered "That was me" / "Not me"), Microsoft notices,
lookalikes and other providers' codes, each in its own words."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.findings import OTHER_PROVIDER_SUBJECT_MAIL, PHISHING, UNUSUAL_SIGNIN, arrive, arrive_raw
from tests.people import sign_in

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def one_of_each(client, member):
    found = {
        "ms_code": arrive(member, NOON),
        "ms_alert": arrive(member, NOON + timedelta(hours=1), mail=UNUSUAL_SIGNIN),
        "phishing": arrive(member, NOON + timedelta(hours=2), mail=PHISHING),
        "other": arrive_raw(member, OTHER_PROVIDER_SUBJECT_MAIL),
    }
    assert [f.category for f in found.values()] == ["ms_code", "ms_alert", "phishing", "other_code"]
    sign_in(client, member)
    return found


def listed(page: str, found: dict) -> list[str]:
    return [kind for kind, f in found.items() if f'id="code-{f.code}"' in page]


def test_each_kind_has_its_own_list_and_words(client, one_of_each):
    codes = client.get("/codes/").content.decode()
    assert listed(codes, one_of_each) == ["ms_code"] and "That was me" in codes
    assert 'aria-current="page">Microsoft codes<' in codes
    notices = client.get("/codes/?kind=ms_alert").content.decode()
    assert listed(notices, one_of_each) == ["ms_alert"] and "notice: part of the account's incident" in notices
    lookalikes = client.get("/codes/?kind=phishing").content.decode()
    assert listed(lookalikes, one_of_each) == ["phishing"] and "lookalike: delete it" in lookalikes
    other = client.get("/codes/?kind=other").content.decode()
    assert listed(other, one_of_each) == ["other"] and "another service: nothing to answer" in other
    for page in (notices, lookalikes, other):
        assert "That was me" not in page  # only Microsoft's own codes are answered


def test_an_unknown_kind_shows_the_codes_and_the_status_filter_keeps_the_kind(client, one_of_each):
    assert listed(client.get("/codes/?kind=nonsense").content.decode(), one_of_each) == ["ms_code"]
    pending = client.get("/codes/?kind=ms_code&status=pending").content.decode()
    assert listed(pending, one_of_each) == ["ms_code"]
    assert 'href="?kind=ms_code&amp;status=expected"' in pending
    assert listed(client.get("/codes/?kind=phishing&status=pending").content.decode(), one_of_each) == ["phishing"]


def test_a_code_nobody_vouched_for_is_listed_with_the_codes_but_never_counted_as_one(client, member):
    """The old archive export in our own corpus has Microsoft's wording and From address and no
    receiver verdict: it is shown beside the codes, explained, with nothing to answer and no incident."""
    from incidents.models import Incident
    from tests.corpus_labels import CORPUS

    found = arrive(member, NOON, mail=CORPUS / "extra" / "en_single_use_no_auth_results.eml")
    assert found.category == "unverified" and not found.is_code
    sign_in(client, member)
    codes = client.get("/codes/").content.decode()
    assert f'id="code-{found.code}"' in codes
    assert "sender could not be checked: never enter this code" in codes
    assert f'action="/codes/{found.code}/answer/"' not in codes
    assert not Incident.objects.filter(findings=found).exists()
