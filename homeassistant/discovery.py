"""What Home Assistant is told: MQTT discovery configs and the states they point at, read from the
database in a few queries. Display names and counts only: never an address, a code or a mailbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import NamedTuple

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Member
from incidents.models import Incident
from scanner.models import Finding

# The periodic refresh runs every REFRESH_MINUTES (apps.py); states older than three refreshes are shown
# as unavailable, so a stopped OTP Dash does not leave a sensor saying "no wave" for ever.
REFRESH_MINUTES = 5
EXPIRE_AFTER = 3 * REFRESH_MINUTES * 60


class Message(NamedTuple):
    topic: str
    payload: str


def messages(broker) -> list[Message]:
    """Every retained message for `broker`'s household: a config, then its state, per entity."""
    household_id = broker.household_id
    people = list(Member.objects.filter(household_id=household_id)) if broker.per_person else []
    found = []
    for entity, state in _household_entities(broker, household_id) + _people_entities(broker, people):
        component, object_id = entity.pop("component"), entity.pop("object_id")
        found.append(
            Message(f"{broker.discovery_prefix}/{component}/{_node(broker)}/{object_id}/config", _json(entity))
        )
        found.append(Message(entity["state_topic"], state))
    return found


def _node(broker) -> str:
    return f"otpdash_{broker.node_id}"


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _entity(broker, component: str, object_id: str, name: str, state_topic: str, **extra) -> dict:
    return {
        "component": component,
        "object_id": object_id,
        "name": name,
        "unique_id": f"{_node(broker)}_{object_id}",
        "state_topic": state_topic,
        "availability_topic": broker.availability_topic,
        "payload_available": "online",
        "payload_not_available": "offline",
        "expire_after": EXPIRE_AFTER,
        "device": {
            "identifiers": [_node(broker)],
            "name": "OTP Dash",
            "manufacturer": "OTP Dash",
            "model": _("Microsoft code watch"),
            "configuration_url": settings.BASE_URL.rstrip("/") + reverse("homeassistant"),
        },
        **extra,
    }


def _household_entities(broker, household_id: int) -> list[tuple[dict, str]]:
    from msaccounts import overview
    from msaccounts.models import Account

    open_incidents = Incident.objects.filter(household_id=household_id).unresolved().count()
    accounts = list(Account.objects.filter(member__household_id=household_id))
    needing_action = sum(1 for view in overview.overview(accounts, UTC) if view.state == "attack")
    root = f"{broker.state_prefix}/household"
    counter = {"state_class": "measurement", "icon": "mdi:shield-alert"}
    return [
        (_entity(broker, "sensor", "open_incidents", _("Open incidents"), f"{root}/open_incidents", **counter),
         str(open_incidents)),
        (_entity(broker, "sensor", "accounts_needing_action", _("Microsoft accounts needing action"),
                 f"{root}/accounts_needing_action", **counter), str(needing_action)),
    ]  # fmt: skip


def _people_entities(broker, people: list[Member]) -> list[tuple[dict, str]]:
    if not people:
        return []
    waves = set(
        Incident.objects.filter(member__in=people, kind=Incident.Kind.ACCOUNT)
        .unresolved()
        .values_list("member_id", flat=True)
    )
    now = timezone.now()
    # Each person's "today" begins at midnight in their own time zone: one query counts them all.
    counts = Finding.objects.filter(category=Finding.Category.MS_CODE).aggregate(**{
        f"p{person.pk}": Count("pk", filter=Q(owner_id=person.user_id, arrived_at__gte=_midnight(now, person)))
        for person in people
    })  # fmt: skip
    found = []
    for person in people:
        pid = broker.opaque_id(person.code)
        root = f"{broker.state_prefix}/person/{pid}"
        wave = _entity(
            broker, "binary_sensor", f"{pid}_wave", _("Microsoft code wave: %(name)s") % {"name": person.display_name},
            f"{root}/wave", device_class="problem", payload_on="ON", payload_off="OFF",
        )  # fmt: skip
        today = _entity(
            broker, "sensor", f"{pid}_codes_today",
            _("Microsoft codes today: %(name)s") % {"name": person.display_name},
            f"{root}/codes_today", state_class="total_increasing", icon="mdi:message-lock",
        )  # fmt: skip
        found.append((wave, "ON" if person.pk in waves else "OFF"))
        found.append((today, str(counts[f"p{person.pk}"])))
    return found


def _midnight(now: datetime, person: Member) -> datetime:
    local = now.astimezone(person.zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)
