"""Home Assistant over MQTT: a household's broker gets discovery configs and states, retained, on a real
Mosquitto; a wave turns its person's sensor on, resolving it turns it off; nothing but display names and
counts leaves, households never see each other's, the outbound policy holds, and only admins edit it."""

from __future__ import annotations

import json
import socket
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.conf import Conf

from accounts.models import Household, Member
from detect import detect
from homeassistant import tasks
from homeassistant.models import Broker
from incidents import workflow
from incidents.models import Incident
from otpdash import outbound
from tests.accounts_data import PETER_CODE
from tests.findings import arrive
from tests.mqtt_broker import MISSING, Mosquitto, mosquitto_binary
from tests.people import join, sign_in
from tests.waiting import free_port, wait_for

pytestmark = pytest.mark.django_db
TOPICS = ("homeassistant/#", "otpdash/#")


@pytest.fixture
def mosquitto():
    if mosquitto_binary() is None:
        pytest.fail(MISSING, pytrace=False)
    server = Mosquitto().start()
    yield server
    server.destroy()


@pytest.fixture
def sync_tasks(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)  # queued tasks run where they are queued: no cluster in tests


def _all_day_quiet(user) -> None:
    """Every code is then not the person's own: it opens a wave at once, whatever the wall clock says."""
    Member.objects.filter(user=user).update(quiet_start=time(0, 0), quiet_end=time(23, 59, 59))
    user.member.refresh_from_db()


def _broker(household, server, **fields) -> Broker:
    broker = Broker(household=household, host="127.0.0.1", port=server.port, **fields)
    broker.full_clean()
    broker.save()
    return broker


def _wave(user, django_capture_on_commit_callbacks, codes: int = 2) -> None:
    """Codes arrive now, as a scan stores them; what waits for the commit (the publish task) runs."""
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(codes):
            arrive(user, now - timedelta(minutes=codes - n), mail=PETER_CODE)


def _configs(messages: dict, broker: Broker) -> dict[str, dict]:
    node = f"otpdash_{broker.node_id}"
    return {t: m for t, m in messages.items() if t.startswith("homeassistant/") and f"/{node}/" in t and m}


def _by_name(configs: dict[str, dict]) -> dict[str, dict]:
    return {config["name"]: config for config in configs.values()}


def test_a_wave_appears_in_home_assistant_as_discovery_configs_and_states(
    mosquitto, sync_tasks, household, member, other_member, django_capture_on_commit_callbacks
):
    broker = _broker(household, mosquitto)
    tasks.publish(household.pk)
    before = mosquitto.retained_json(*TOPICS)
    alice = _by_name(_configs(before, broker))
    assert set(alice) == {
        "Microsoft code wave: Alice", "Microsoft codes today: Alice", "Microsoft code wave: Bob",
        "Microsoft codes today: Bob", "Open incidents", "Microsoft accounts needing action",
    }  # fmt: skip
    wave = alice["Microsoft code wave: Alice"]
    assert wave["availability_topic"] == f"otpdash/{broker.node_id}/availability"
    assert before[wave["availability_topic"]] == "online"
    assert wave["device"]["identifiers"] == [f"otpdash_{broker.node_id}"]
    assert wave["device"]["manufacturer"] == "OTP Dash" and wave["device"]["name"] == "OTP Dash"
    assert wave["state_topic"].startswith(f"otpdash/{broker.node_id}/")
    assert before[wave["state_topic"]] == "OFF"
    assert before[alice["Microsoft codes today: Alice"]["state_topic"]] == "0"
    assert all(config["unique_id"].startswith(f"otpdash_{broker.node_id}_") for config in alice.values())
    assert len({config["unique_id"] for config in alice.values()}) == 6

    _all_day_quiet(member)
    _wave(member, django_capture_on_commit_callbacks)  # the signals queue the publish; nobody calls it here
    assert Incident.objects.unresolved().filter(member=member.member).exists()
    during = mosquitto.retained_json(*TOPICS)
    names = _by_name(_configs(during, broker))
    assert during[names["Microsoft code wave: Alice"]["state_topic"]] == "ON"
    assert during[names["Microsoft code wave: Bob"]["state_topic"]] == "OFF"
    assert during[names["Microsoft codes today: Alice"]["state_topic"]] == "2"
    assert during[names["Microsoft codes today: Bob"]["state_topic"]] == "0"
    assert int(during[names["Open incidents"]["state_topic"]]) >= 1
    assert during[names["Microsoft accounts needing action"]["state_topic"]] == "1"
    # Stable: the same unique ids and topics as before the wave, so Home Assistant keeps its entities.
    assert {c["unique_id"]: t for t, c in _configs(during, broker).items()} == {
        c["unique_id"]: t for t, c in _configs(before, broker).items()
    }

    owner = join(household, "olivia", "owner")
    with django_capture_on_commit_callbacks(execute=True):
        for incident in Incident.objects.unresolved().filter(household=household):
            workflow.resolve(incident, owner, "Changed the password and turned on two-step sign-in.")
    after = mosquitto.retained_json(*TOPICS)
    assert after[names["Microsoft code wave: Alice"]["state_topic"]] == "OFF"
    assert after[names["Open incidents"]["state_topic"]] == "0"


def test_nothing_but_display_names_and_counts_reaches_the_broker(
    mosquitto, sync_tasks, household, member, django_capture_on_commit_callbacks
):
    broker = _broker(household, mosquitto, username="", discovery_prefix="homeassistant")
    member.member.addresses = [member.email, "peter.weber@example.com"]
    member.member.save()
    _all_day_quiet(member)
    _wave(member, django_capture_on_commit_callbacks)
    everything = mosquitto.retained(*TOPICS)
    assert _configs({t: json.loads(p) for t, p in everything.items() if p.startswith("{")}, broker)
    text = json.dumps(everything)
    codes = detect(PETER_CODE.read_bytes()).codes
    assert codes
    private = [*codes, member.email, "peter.weber", "example.com", "example.org", "alice@", str(household.code),
               str(member.member.code), household.name]  # fmt: skip
    for secret in private:
        assert secret not in text, secret


def test_a_second_household_publishes_only_its_own(
    mosquitto, sync_tasks, settings, household, member, django_capture_on_commit_callbacks
):
    settings.ALLOW_PRIVATE_HOSTS = True  # two households: private brokers only where the install allows them
    other = Household.objects.create(name="Next door")
    carol = join(other, "carol", "owner")
    ours, theirs = _broker(household, mosquitto), _broker(other, mosquitto)
    _all_day_quiet(member)
    _wave(member, django_capture_on_commit_callbacks)
    tasks.publish(other.pk)
    messages = mosquitto.retained_json(*TOPICS)
    mine, yours = _configs(messages, ours), _configs(messages, theirs)
    assert set(_by_name(yours)) == {
        "Microsoft code wave: Carol", "Microsoft codes today: Carol", "Open incidents",
        "Microsoft accounts needing action",
    }  # fmt: skip
    assert "Microsoft code wave: Carol" not in _by_name(mine)
    assert not set(mine) & set(yours)
    their_states = {t: p for t, p in messages.items() if t.startswith(theirs.state_prefix + "/")}
    assert their_states and "ON" not in their_states.values()
    assert messages[_by_name(yours)["Open incidents"]["state_topic"]] == "0"
    assert "Alice" not in json.dumps([yours, their_states])
    assert carol.member.display_name not in json.dumps(mine)


def test_a_member_who_leaves_or_per_person_sensors_switched_off_are_removed_from_home_assistant(
    mosquitto, sync_tasks, household, member, other_member
):
    broker = _broker(household, mosquitto)
    tasks.publish(household.pk)
    bob = [t for t, c in _configs(mosquitto.retained_json(*TOPICS), broker).items() if "Bob" in c["name"]]
    assert len(bob) == 2
    other_member.delete()
    tasks.publish(household.pk)
    left = mosquitto.retained_json(*TOPICS)
    assert not set(bob) & set(left)  # an empty retained config: Home Assistant removes the entity
    Broker.objects.filter(pk=broker.pk).update(per_person=False)
    tasks.publish(household.pk)
    assert set(_by_name(_configs(mosquitto.retained_json(*TOPICS), broker))) == {
        "Open incidents", "Microsoft accounts needing action",
    }  # fmt: skip


def test_a_connection_that_drops_leaves_its_last_will_offline(mosquitto, monkeypatch, household, member):
    import paho.mqtt.client as paho

    broker = _broker(household, mosquitto)
    broker.publish()
    assert mosquitto.retained(broker.availability_topic) == {broker.availability_topic: "online"}

    def crash(client, *args, **kwargs):  # the process dies: the socket closes with no DISCONNECT sent
        client.socket().shutdown(socket.SHUT_RDWR)
        return paho.MQTTErrorCode.MQTT_ERR_SUCCESS

    monkeypatch.setattr(paho.Client, "disconnect", crash)
    broker.publish()
    wait_for(
        lambda: mosquitto.retained(broker.availability_topic) == {broker.availability_topic: "offline"},
        15, "the broker to publish the last will", lambda: mosquitto.log,
    )  # fmt: skip


def test_the_outbound_policy_holds_for_the_broker(mosquitto, settings, household, member):
    settings.ALLOW_PRIVATE_HOSTS = False
    broker = _broker(household, mosquitto)
    problem = broker.test_connection()
    assert outbound.REFUSED in problem and "OTPDASH_ALLOW_PRIVATE_HOSTS" in problem
    assert tasks.publish(household.pk).startswith("failed")
    broker.refresh_from_db()
    assert outbound.REFUSED in broker.error
    assert mosquitto.retained(*TOPICS) == {}


def test_test_connection_names_a_wrong_password_and_passes_with_the_right_one(household, member):
    if mosquitto_binary() is None:
        pytest.fail(MISSING, pytrace=False)
    server = Mosquitto({"homeassistant": "broker pass 4"}).start()
    try:
        broker = _broker(household, server, username="homeassistant")
        broker.set_password("not the password")
        broker.save()
        assert "refused the user name or password" in broker.test_connection()
        broker.set_password("broker pass 4")
        broker.save()
        assert broker.test_connection() == ""
        broker.publish()
        assert server.retained(*TOPICS, user="homeassistant", password="broker pass 4")
        assert "broker pass 4" not in broker.password_sealed
    finally:
        server.destroy()
    assert "refused the connection" in broker.test_connection()  # the broker is gone now


def test_only_the_households_admins_edit_it_and_the_password_is_never_shown(client, sync_tasks, household, member):
    page = reverse("homeassistant")
    sign_in(client, member)
    assert client.get(page).status_code == 403
    assert client.post(page, {"host": "broker.example.net"}).status_code == 403
    assert not Broker.objects.exists()

    owner = join(household, "olivia", "owner")
    sign_in(client, owner)
    assert b"Home Assistant" in client.get(reverse("people")).content  # linked from the household page
    form = {"enabled": "on", "host": "Broker.Example.NET.", "port": "8883", "tls": "on", "username": "ha",
            "password": "mqtt secret 9", "discovery_prefix": "homeassistant", "per_person": "on"}  # fmt: skip
    response = client.post(page, form)
    assert response.status_code == 302
    broker = Broker.objects.get(household=household)
    assert broker.host == "broker.example.net" and broker.get_password() == "mqtt secret 9"
    shown = client.get(page).content.decode()
    assert "mqtt secret 9" not in shown and broker.password_sealed not in shown
    assert f"otpdash/{broker.node_id}/" in shown

    client.post(page, {**form, "password": ""})  # empty keeps the stored password
    broker.refresh_from_db()
    assert broker.get_password() == "mqtt secret 9"
    bad = client.post(page, {**form, "discovery_prefix": "home/#"})
    assert bad.status_code == 200 and "no + or #" in bad.content.decode()

    other = Household.objects.create(name="Next door")
    sign_in(client, join(other, "carol", "owner"))
    assert "broker.example.net" not in client.get(page).content.decode()  # their own, empty form
    client.post(reverse("homeassistant_test"))
    assert Broker.objects.filter(household=other).count() == 0
    assert Broker.objects.get(household=household).test_requested_at is None


def test_the_test_button_reports_what_failed(client, sync_tasks, settings, household, member):
    settings.ALLOW_PRIVATE_HOSTS = True
    owner = join(household, "olivia", "owner")
    broker = Broker.objects.create(household=household, host="127.0.0.1", port=free_port())  # nobody listens
    sign_in(client, owner)
    client.post(reverse("homeassistant_test"))
    broker.refresh_from_db()
    assert broker.tested_at and "refused the connection" in broker.test_error
    assert "refused the connection" in client.get(reverse("homeassistant")).content.decode()


def test_rotate_keys_reseals_the_broker_password(household, settings):
    import io

    from cryptography.fernet import Fernet
    from django.core.management import call_command

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    broker = Broker.objects.create(household=household, host="broker.example.net", username="ha")
    broker.set_password("broker pass 5")
    broker.save()
    settings.ENCRYPTION_KEYS = [new, old]
    out = io.StringIO()
    call_command("rotate_keys", stdout=out)
    assert "re-encrypted 1 MQTT broker passwords" in out.getvalue()
    settings.ENCRYPTION_KEYS = [new]
    assert Broker.objects.get().get_password() == "broker pass 5"


def test_tls_checks_the_brokers_certificate(monkeypatch, household, member):
    if mosquitto_binary() is None:
        pytest.fail(MISSING, pytrace=False)
    server = Mosquitto(tls=True).start()
    try:
        broker = _broker(household, server, tls=True)
        problem = broker.test_connection()  # the test's own CA is not one the system trusts
        assert "TLS with" in problem and "certificate" in problem
        broker.tls = False
        assert "turn TLS on" in broker.test_connection()  # plain MQTT to a TLS port: the broker hangs up
        broker.tls = True
        monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_file))  # now it is
        assert broker.test_connection() == ""
        broker.publish()
        assert server.retained(broker.availability_topic) == {broker.availability_topic: "online"}
    finally:
        server.destroy()


def test_the_refresh_schedule_publishes_every_enabled_link_and_removing_one_empties_its_topics(
    client, mosquitto, sync_tasks, settings, household, member
):
    from django_q.models import Schedule

    assert Schedule.objects.filter(func="homeassistant.tasks.refresh_all", schedule_type=Schedule.MINUTES).exists()
    settings.ALLOW_PRIVATE_HOSTS = True
    off = Household.objects.create(name="Away")
    join(off, "dora", "owner")
    ours, theirs = _broker(household, mosquitto), _broker(off, mosquitto, enabled=False)
    assert tasks.refresh_all() == "1 households"
    messages = mosquitto.retained_json(*TOPICS)
    assert _configs(messages, ours) and not _configs(messages, theirs)

    owner = join(household, "olivia", "owner")
    sign_in(client, owner)
    client.post(reverse("homeassistant_remove"))
    assert not Broker.objects.filter(household=household).exists()  # and with it the password
    left = mosquitto.retained(*TOPICS)
    assert left == {ours.availability_topic: "offline"}
