"""Alert channels reach only where the install's outbound policy allows: with several households,
nothing on the server's own network under any spelling; no caller-chosen method, headers or query;
no mail relayed past the install's own mail server; errors that give nothing of the far side away;
and a limit on how often Test makes the server send."""

from __future__ import annotations

import socket

import pytest
from apprise.manager_plugins import NotificationManager
from django.conf import settings
from django_q.models import OrmQ

from accounts.models import Household
from notify import apprise_channel
from notify.apprise_channel import ChannelUrlError, check
from notify.models import Channel
from otpdash import outbound
from tests.http_sink import HttpSink
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def sink():
    with HttpSink() as server:
        yield server


@pytest.fixture
def alpha():
    return join(Household.objects.create(name="Alpha"), "alma", "owner")


@pytest.fixture
def two_households(alpha):
    join(Household.objects.create(name="Beta"), "bodo", "owner")
    return alpha


def test_with_several_households_no_spelling_of_this_machine_is_reached(two_households, sink):
    for host in ("127.0.0.1", "localhost", "2130706433", "[::1]"):
        ok, error = apprise_channel.deliver(f"json://{host}:{sink.port}/hook", "t", "b")
        assert not ok and outbound.REFUSED in error, host
    assert sink.received == []


def test_private_and_link_local_addresses_are_refused_where_they_would_be_connected():
    with outbound.guarded(allow_private=False) as guard:
        for address in (
            "10.1.2.3",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "127.1",
        ):
            with pytest.raises(socket.gaierror):
                socket.getaddrinfo(address, 80)
    assert len(guard.refused) == 8
    socket.getaddrinfo("127.0.0.1", 80)  # outside a guard, nothing changes


def test_one_household_reaches_its_own_network(alpha, sink):
    ok, error = apprise_channel.deliver(f"json://127.0.0.1:{sink.port}/hook", "t", "b")
    assert ok and error == "" and len(sink.received) == 1


def test_the_policy_can_be_opened_by_the_administrator(two_households, sink, settings):
    settings.ALLOW_PRIVATE_HOSTS = True
    assert apprise_channel.deliver(f"json://127.0.0.1:{sink.port}/hook", "t", "b")[0]


@pytest.mark.parametrize(
    "query", ["?+X-Api-Key=internal", "?-token=1", "?method=DELETE", "?%2BX-Forwarded-For=1", "?METHOD=put"]
)
def test_a_generic_hook_may_not_choose_its_method_headers_or_query(alpha, sink, query):
    url = f"json://127.0.0.1:{sink.port}/hook{query}"
    with pytest.raises(ChannelUrlError, match="OTPDASH_CHANNEL_CUSTOM_HTTP"):
        check(url)
    ok, error = apprise_channel.deliver(url, "t", "b")  # a channel stored before the rule: refused too
    assert not ok and "OTPDASH_CHANNEL_CUSTOM_HTTP" in error and sink.received == []


def test_an_administrator_may_allow_custom_hooks(alpha, sink, settings):
    settings.CHANNEL_CUSTOM_HTTP = True
    assert apprise_channel.deliver(f"json://127.0.0.1:{sink.port}/hook?+X-Tag=ours&method=PUT", "t", "b")[0]
    (request,) = sink.received
    assert request["method"] == "PUT" and request["headers"]["X-Tag"] == "ours"


def test_mail_goes_only_through_the_installs_own_mail_server(alpha):
    for url in ("mailto://127.0.0.1:25?to=boss@example.org&from=ceo@example.org", "mailtos://u:p@example.org"):
        with pytest.raises(ChannelUrlError, match="Alerts by email"):
            check(url)
        assert not apprise_channel.deliver(url, "t", "b")[0]


def test_schemes_outside_the_list_are_refused_and_the_list_is_what_apprise_knows(alpha):
    with pytest.raises(ChannelUrlError, match="OTPDASH_CHANNEL_SCHEMES"):
        check("syslog://127.0.0.1")
    known = set(NotificationManager().schemas())
    assert settings.CHANNEL_SCHEMES <= known, settings.CHANNEL_SCHEMES - known  # fails loudly on an upgrade


@pytest.mark.parametrize("status", [500, 404, 401])
def test_a_failure_says_the_same_whatever_the_far_side_answered(alpha, sink, status):
    sink.status = status
    ok, error = apprise_channel.deliver(f"json://127.0.0.1:{sink.port}/hook", "t", "b")
    assert not ok and error == apprise_channel.REFUSED_BY_SERVICE
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    assert apprise_channel.deliver(f"json://127.0.0.1:{port}/hook", "t", "b") == (False, error)


def test_the_form_refuses_what_delivery_would_and_says_why(client, alpha):
    sign_in(client, alpha)
    page = client.post("/notifications/channels/", {"label": "x", "url": "json://127.0.0.1/h?method=DELETE"})
    assert page.status_code == 400 and "OTPDASH_CHANNEL_CUSTOM_HTTP" in page.content.decode()
    assert not Channel.objects.exists()


def test_test_is_rate_limited(client, alpha, sink):
    sign_in(client, alpha)
    channel = Channel(member=alpha.member, label="hook")
    url = f"json://127.0.0.1:{sink.port}/hook"
    channel.set_url(url, apprise_channel.shown(url))
    channel.save()
    for _ in range(5):
        client.post(f"/notifications/channels/{channel.code}/", {"action": "test"})
    page = client.post(f"/notifications/channels/{channel.code}/", {"action": "test"}, follow=True)
    assert "try again in 10 minutes" in page.content.decode()
    assert OrmQ.objects.count() == 5
