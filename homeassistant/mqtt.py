"""Our one door to paho-mqtt: connect under the outbound policy, publish retained messages, and say in
words what went wrong. The client's loop runs in the caller's thread, so the policy (a context variable)
holds for every lookup, and nothing is left running afterwards."""

from __future__ import annotations

import secrets
import socket
import ssl
import time
from collections.abc import Iterable

import paho.mqtt.client as paho
from django.utils.translation import gettext as _

from otpdash import outbound
from otpdash.secretbox import SecretUnreadable

TIMEOUT = 10.0  # seconds for the whole exchange: a slow broker holds a task worker this long at most
KEEPALIVE = 30
# CONNACK reasons that mean "wrong user name or password" in MQTT 3.1.1 (paho's ReasonCode names).
AUTH_REFUSALS = {"Bad user name or password", "Not authorized"}


class Unreachable(Exception):
    """The broker could not be reached or refused us; the message says why and what to do."""


def send(broker, messages: Iterable, timeout: float = TIMEOUT) -> None:
    """Connect as `broker` says, publish each message (topic, payload) retained with QoS 1, wait for the
    broker's acknowledgements, and disconnect. An empty list only tests the connection."""
    where = f"{broker.host}:{broker.port}"
    try:
        password = broker.get_password()
    except SecretUnreadable as exc:
        raise Unreachable(_("The broker's stored password cannot be decrypted (%(why)s).") % {"why": exc}) from exc
    client = paho.Client(
        paho.CallbackAPIVersion.VERSION2,
        client_id=f"otpdash-{broker.node_id}-{secrets.token_hex(3)}",
        reconnect_on_failure=False,
    )
    client.connect_timeout = timeout
    if broker.username:
        client.username_pw_set(broker.username, password)
    if broker.tls:
        client.tls_set_context(ssl.create_default_context())
    # Should OTP Dash's connection drop mid-publish, the broker marks its sensors unavailable.
    client.will_set(broker.availability_topic, "offline", qos=1, retain=True)
    answer: dict = {}
    client.on_connect = lambda _client, _data, _flags, reason, _props: answer.update(reason=reason)
    deadline = time.monotonic() + timeout
    with outbound.guarded() as guard:
        _connect(client, broker, where, guard)
    try:
        _wait(client, lambda: "reason" in answer, deadline, where)
        reason = answer["reason"]
        if reason.is_failure:
            if str(reason) in AUTH_REFUSALS:
                raise Unreachable(
                    _("The broker %(where)s refused the user name or password: check both on this page.")
                    % {"where": where}
                )
            raise Unreachable(
                _("The broker %(where)s refused the connection: %(reason)s.") % {"where": where, "reason": reason}
            )
        sent = [client.publish(topic, payload, qos=1, retain=True) for topic, payload in messages]
        _wait(client, lambda: all(info.is_published() for info in sent), deadline, where)
    finally:
        client.disconnect()
        client.loop(0.05)


def _connect(client, broker, where: str, guard) -> None:
    try:
        client.connect(broker.host, broker.port, keepalive=KEEPALIVE)
    except socket.gaierror as exc:
        if guard.refused:
            raise Unreachable(f"{broker.host} {outbound.REFUSED}. {outbound.ALLOW_HINT}") from exc
        raise Unreachable(
            _("The broker's name %(host)s was not found: check the host.") % {"host": broker.host}
        ) from exc
    except ssl.SSLError as exc:
        raise Unreachable(
            _("TLS with %(where)s failed (%(why)s): check that this is the broker's TLS port and that its "
              "certificate is valid for %(host)s, or turn TLS off for a plain port.")
            % {"where": where, "why": getattr(exc, "verify_message", None) or exc.reason or exc, "host": broker.host}
        ) from exc  # fmt: skip
    except ConnectionRefusedError as exc:
        raise Unreachable(
            _("%(where)s refused the connection: check the port and that the broker is running.") % {"where": where}
        ) from exc
    except TimeoutError as exc:
        raise Unreachable(
            _("%(where)s did not answer: check the host, the port and any firewall.") % {"where": where}
        ) from exc
    except OSError as exc:
        raise Unreachable(
            _("Could not connect to %(where)s: %(why)s.") % {"where": where, "why": exc.strerror or exc}
        ) from exc


def _wait(client, done, deadline: float, where: str) -> None:
    while not done():
        if time.monotonic() > deadline:
            raise Unreachable(
                _("%(where)s did not answer in time: check that it is an MQTT broker.") % {"where": where}
            )
        code = client.loop(0.1)
        if code == paho.MQTTErrorCode.MQTT_ERR_SUCCESS or done():
            continue
        if code == paho.MQTTErrorCode.MQTT_ERR_CONN_LOST:
            raise Unreachable(
                _("%(where)s closed the connection: if that is the broker's TLS port, turn TLS on; else see the "
                  "broker's log.") % {"where": where}
            )  # fmt: skip
        raise Unreachable(
            _("The connection to %(where)s failed (%(why)s): check the port, TLS and the broker's log.")
            % {"where": where, "why": paho.error_string(code)}
        )
