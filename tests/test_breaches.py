"""Have I Been Pwned, opt-in: the client against a local server speaking the documented protocol
(200, 404, 401, 429 with retry-after), the household check and its cache, a breach with passwords
reopening "change the password", and the settings page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ

from msaccounts import breaches
from msaccounts.hibp import Client, HibpError
from msaccounts.models import Account, BreachCheck, BreachSetting, StepMark
from tests.accounts_data import NIGHT, PETER_CODE
from tests.findings import arrive
from tests.hibp_server import KEY, HibpServer
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db
BREACHED = {"peter.weber@example.com": ["ExampleShop", "ExampleForum"]}


@pytest.fixture
def hibp(settings):
    with HibpServer(BREACHED) as server:
        settings.HIBP_URL = server.url
        yield server


def _enable(household, key=KEY):
    setting = BreachSetting(household=household, enabled=True, enabled_by="Olivia", enabled_at=timezone.now())
    setting.set_key(key)
    setting.save()
    return setting


def test_the_client_reads_the_documented_answers(hibp):
    client = Client(key=KEY)
    assert client.breaches_for("peter.weber@example.com") == ["ExampleShop", "ExampleForum"]
    assert client.breaches_for("nobody@example.com") == []  # 404: in no breach
    path, headers = hibp.requests[0]
    headers = {name.lower(): value for name, value in headers.items()}  # HTTP names are case-insensitive
    assert path == "/api/v3/breachedaccount/peter.weber%40example.com?truncateResponse=true"
    assert headers["hibp-api-key"] == KEY and headers["user-agent"].startswith("OTP-Dash")
    with pytest.raises(HibpError) as refused:
        Client(key="wrong").breaches_for("peter.weber@example.com")
    assert refused.value.setup and "401" in str(refused.value)
    hibp.rate_limit_seconds = 7
    with pytest.raises(HibpError) as limited:
        client.breaches_for("peter.weber@example.com")
    assert limited.value.retry_after == 7 and not limited.value.setup
    assert [b["Name"] for b in client.catalogue()] == ["ExampleShop", "ExampleForum"]


def test_an_unreachable_service_is_an_error_not_a_crash(settings):
    settings.HIBP_URL = "http://127.0.0.1:9/api/v3"  # the discard port: nothing listens
    with pytest.raises(HibpError, match="could not be reached"):
        Client(key=KEY).breaches_for("peter.weber@example.com")


def test_the_household_check_caches_answers_and_a_password_breach_reopens_the_step(hibp, member, household):
    arrive(member, NIGHT, mail=PETER_CODE)
    account = Account.objects.get()
    StepMark.objects.create(account=account, step="password", state="done", at=NIGHT + timedelta(days=1))
    _enable(household)
    assert breaches.check_household(household.pk) == "checked 1"
    assert BreachCheck.objects.get().breaches == ["ExampleShop", "ExampleForum"]
    reopened = account.marks.filter(step="password").last()
    assert reopened.state == "to_do" and "Example Shop (made public 25 Nov 2026) exposed passwords" in reopened.reason
    # Asked again within the week: nothing goes out, the catalogue is not fetched again either.
    before = len(hibp.requests)
    assert breaches.check_household(household.pk) == "checked 0"
    assert len(hibp.requests) == before


def test_a_wrong_key_is_shown_to_the_admin_and_a_rate_limit_is_honoured(client, hibp, member, household):
    arrive(member, NIGHT, mail=PETER_CODE)
    setting = _enable(household, key="not-the-key")
    assert "stopped" in breaches.check_household(household.pk)
    setting.refresh_from_db()
    assert "API key was refused (401)" in setting.problem
    owner = join(household, "olivia", "owner")
    sign_in(client, owner)
    assert "API key was refused (401)" in client.get(reverse("breach_settings")).content.decode()

    setting.set_key(KEY)
    setting.problem = ""
    setting.save()
    hibp.rate_limit_seconds = 120
    breaches.check_household(household.pk)
    setting.refresh_from_db()
    assert timedelta(seconds=100) < setting.retry_at - timezone.now() <= timedelta(seconds=120)
    asked = len(hibp.asked("breachedaccount"))
    assert breaches.check_household(household.pk).startswith("waiting until")
    assert len(hibp.asked("breachedaccount")) == asked and not BreachCheck.objects.exists()


def test_breaches_show_as_hints_on_the_account_page(client, hibp, member, household):
    arrive(member, NIGHT, mail=PETER_CODE)
    _enable(household)
    breaches.check_household(household.pk)
    sign_in(client, member)
    page = client.get(reverse("account_detail", args=[Account.objects.get().code])).content.decode()
    assert "In the breach Example Shop (shop.example), Mar 2025: exposed email addresses, passwords." in page
    assert "Change the password, and everywhere else it was used" in page and "From Have I Been Pwned" in page


def test_turning_checks_on_needs_the_notice_ticked_and_a_key_which_is_stored_sealed(client, member, household):
    owner = join(household, "olivia", "owner")
    sign_in(client, owner)
    url = reverse("breach_settings")
    refused = client.post(url, {"enabled": "on", "api_key": KEY}).content.decode()
    assert "addresses leave this machine" in refused
    no_key = client.post(url, {"enabled": "on", "understood": "on"}).content.decode()
    assert "An API key is needed" in no_key
    assert not BreachSetting.objects.get().enabled
    client.post(url, {"enabled": "on", "understood": "on", "api_key": KEY})
    setting = BreachSetting.objects.get()
    assert setting.enabled and setting.get_key() == KEY and KEY not in setting.api_key_sealed
    page = client.get(url).content.decode()
    assert KEY not in page and "…cdef" in page
    assert OrmQ.objects.count() == 1  # the first check is queued at once, for the task cluster


def test_a_key_that_cannot_be_decrypted_is_a_setup_problem_not_a_crash(client, hibp, member, household):
    arrive(member, NIGHT, mail=PETER_CODE)
    setting = _enable(household)
    BreachSetting.objects.filter(pk=setting.pk).update(api_key_sealed="gAAAAA-not-a-token")
    assert breaches.check_household(household.pk) == "stopped: key unreadable"
    setting.refresh_from_db()
    assert "cannot be decrypted" in setting.problem and hibp.requests == []
    sign_in(client, join(household, "olivia", "owner"))
    page = client.get(reverse("breach_settings")).content.decode()
    assert "cannot be decrypted: enter it again" in page and "enter it again." in page
