"""Publishing as django-q tasks: a slow or absent broker holds a task worker, never a scan or a page."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from .models import Broker
from .mqtt import Unreachable

log = logging.getLogger(__name__)
LOCK_SECONDS = 60  # longer than one publish may take (mqtt.TIMEOUT)


def _queued_key(household_id: int) -> str:
    return f"homeassistant:queued:{household_id}"


def _lock_key(household_id: int) -> str:
    return f"homeassistant:publishing:{household_id}"


def _again_key(household_id: int) -> str:
    return f"homeassistant:again:{household_id}"


def queue_publish(household_id: int) -> None:
    """After the current transaction commits, once however many changes a scan makes meanwhile."""
    if not Broker.objects.filter(household_id=household_id).exists():
        return

    def queue():
        if cache.add(_queued_key(household_id), 1, LOCK_SECONDS):
            async_task(
                "homeassistant.tasks.publish",
                household_id,
                task_name=f"homeassistant-{household_id}",
                group="homeassistant",
            )

    transaction.on_commit(queue)


def on_household_changed(sender, household_id: int, **kwargs) -> None:
    queue_publish(household_id)


def on_incident_changed(sender, incident, **kwargs) -> None:
    queue_publish(incident.household_id)


def publish(household_id: int) -> str:
    """One household's sensors. Two at once for one household would race on retained states: the second
    leaves word for the first to publish again with what it now sees."""
    cache.delete(_queued_key(household_id))
    if not cache.add(_lock_key(household_id), 1, LOCK_SECONDS):
        cache.set(_again_key(household_id), 1, LOCK_SECONDS)
        return "another worker is publishing; it publishes again"
    try:
        for _attempt in range(3):
            cache.delete(_again_key(household_id))
            broker = Broker.objects.filter(household_id=household_id).first()
            if broker is None:
                return "no broker"
            try:
                broker.publish()
            except Unreachable as exc:
                log.warning("Home Assistant broker of household %s: %s", household_id, exc)
                return f"failed: {exc}"
            if not cache.get(_again_key(household_id)):
                break
        return f"published {len(broker.published_topics)} topics"
    finally:
        cache.delete(_lock_key(household_id))


def refresh_all() -> str:
    """The schedule's refresh: every enabled link, so counts roll over at midnight and states never expire."""
    done = [
        publish(household_id)
        for household_id in Broker.objects.filter(enabled=True).values_list("household_id", flat=True)
    ]
    return f"{len(done)} households"


def queue_test(broker: Broker) -> None:
    Broker.objects.filter(pk=broker.pk).update(test_requested_at=timezone.now())
    async_task(
        "homeassistant.tasks.test_connection",
        broker.pk,
        task_name=f"homeassistant-test-{broker.pk}",
        group="homeassistant",
    )


def test_connection(broker_id: int) -> str:
    broker = Broker.objects.filter(pk=broker_id).first()
    if broker is None:
        return "removed"
    problem = broker.test_connection()
    return f"failed: {problem}" if problem else "connected"


def queue_removal(broker: Broker) -> None:
    async_task(
        "homeassistant.tasks.remove", broker.pk, task_name=f"homeassistant-remove-{broker.pk}", group="homeassistant"
    )


def remove(broker_id: int) -> str:
    """Empties every retained topic OTP Dash published, marks it offline, then forgets the broker (and its
    password) whether or not the broker could be reached."""
    broker = Broker.objects.filter(pk=broker_id).first()
    if broker is None:
        return "removed already"
    broker.enabled = False
    try:
        broker.publish()
        outcome = "emptied and removed"
    except Unreachable as exc:
        outcome = f"removed; the broker kept its topics: {exc}"
    broker.delete()
    return outcome
