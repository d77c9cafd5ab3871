"""A household's Home Assistant link: the MQTT broker OTP Dash publishes its sensors to."""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Household
from otpdash import secretbox

from . import discovery, mqtt

# MQTT topic levels we write: no wildcards (+ #), no empty levels, nothing a broker would refuse.
TOPIC_PREFIX = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$")
HOST = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


def new_node_id() -> str:
    return secrets.token_hex(8)


def valid_topic_prefix(value: str) -> None:
    if not TOPIC_PREFIX.match(value or ""):
        raise ValidationError(
            _("Use letters, digits, - and _ in levels separated by /, such as homeassistant (no + or #).")
        )


class Broker(models.Model):
    """Where and how this household's sensors are published; the password is sealed like a mailbox's."""

    household = models.OneToOneField(Household, on_delete=models.CASCADE, related_name="mqtt_broker")
    enabled = models.BooleanField(_("publish to Home Assistant"), default=True)
    host = models.CharField(
        _("MQTT broker"), max_length=253, help_text=_("A name or address, such as homeassistant.local.")
    )
    port = models.PositiveIntegerField(
        _("port"),
        default=1883,
        validators=[MinValueValidator(1), MaxValueValidator(65535)],
        help_text=_("Usually 1883, or 8883 with TLS."),
    )
    tls = models.BooleanField(
        _("TLS"), default=False, help_text=_("The broker's certificate must be valid for its name.")
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    password_sealed = models.TextField(blank=True, editable=False)
    discovery_prefix = models.CharField(
        _("discovery prefix"),
        max_length=100,
        default="homeassistant",
        validators=[valid_topic_prefix],
        help_text=_("Home Assistant's MQTT discovery prefix: homeassistant unless you changed it there."),
    )
    per_person = models.BooleanField(
        _("a sensor per person"),
        default=True,
        help_text=_("Each member's display name appears in Home Assistant; never an address or a code."),
    )
    # Opaque: names this household's topics and unique ids without saying whose they are.
    node_id = models.CharField(max_length=32, unique=True, default=new_node_id, editable=False)
    # Retained topics published last time, so those no longer wanted are emptied (Home Assistant then
    # removes their entities): a member who left, per-person sensors switched off.
    published_topics = models.JSONField(default=list, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True, editable=False)
    error_at = models.DateTimeField(null=True, blank=True, editable=False)
    test_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    tested_at = models.DateTimeField(null=True, blank=True, editable=False)
    test_error = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.host}:{self.port}"

    def clean(self):
        self.host = (self.host or "").strip().rstrip(".").lower()
        if not HOST.match(self.host) and not self._is_ip(self.host):
            raise ValidationError({"host": gettext("Enter the broker's host name or IP address, without mqtt://.")})

    @staticmethod
    def _is_ip(host: str) -> bool:
        try:
            ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return False
        return True

    def set_password(self, password: str) -> None:
        self.password_sealed = secretbox.seal(password) if password else ""

    def get_password(self) -> str:
        return secretbox.unseal(self.password_sealed) if self.password_sealed else ""

    @property
    def state_prefix(self) -> str:
        return f"otpdash/{self.node_id}"

    @property
    def availability_topic(self) -> str:
        return f"{self.state_prefix}/availability"

    def opaque_id(self, code) -> str:
        """A person's id in topics and unique ids: stable for this link, and saying nothing about them."""
        return hashlib.sha256(f"{self.node_id}:{code}".encode()).hexdigest()[:12]

    @property
    def test_pending(self) -> bool:
        return bool(self.test_requested_at and (self.tested_at is None or self.tested_at < self.test_requested_at))

    @property
    def test_stuck(self) -> bool:
        """Still waiting after two minutes: no task worker is running."""
        return self.test_pending and timezone.now() - self.test_requested_at > timedelta(minutes=2)

    def publish(self) -> None:
        """Discovery configs and states, retained; topics published before and no longer wanted are emptied.
        Raises mqtt.Unreachable with the reason in words, after recording it."""
        wanted = discovery.messages(self) if self.enabled else []
        wanted_topics = {message.topic for message in wanted}
        gone = [discovery.Message(topic, "") for topic in self.published_topics if topic not in wanted_topics]
        online = [discovery.Message(self.availability_topic, "online" if self.enabled else "offline")]
        try:
            mqtt.send(self, gone + wanted + online)
        except mqtt.Unreachable as exc:
            Broker.objects.filter(pk=self.pk).update(error=str(exc), error_at=timezone.now())
            raise
        self.published_topics, self.published_at, self.error = sorted(wanted_topics), timezone.now(), ""
        Broker.objects.filter(pk=self.pk).update(
            published_topics=self.published_topics, published_at=self.published_at, error=""
        )

    def test_connection(self) -> str:
        """Connect and sign in, publish nothing: the reason in words when it fails, else ""."""
        try:
            mqtt.send(self, [])
            problem = ""
        except mqtt.Unreachable as exc:
            problem = str(exc)
        self.tested_at, self.test_error = timezone.now(), problem
        Broker.objects.filter(pk=self.pk).update(tested_at=self.tested_at, test_error=problem)
        return problem
