"""Background work run by django-q2: alerts, channel tests and digests, never in a web request."""

from __future__ import annotations

from django_q.tasks import async_task

from . import delivery, digests, followup
from .models import Channel


def send_due() -> str:
    return f"sent {delivery.send_due()}"


def follow_up() -> str:
    made = followup.follow_up()
    return f"{made['reminders']} reminders, {made['escalations']} escalations"


def send_digests() -> str:
    return "; ".join(digests.send_digests()) or "none due"


def queue_test(channel: Channel) -> None:
    async_task("notify.tasks.test_channel", channel.pk, task_name=f"test-channel-{channel.code}", group="alerts")


def test_channel(channel_id: int) -> str:
    channel = Channel.objects.select_related("member").filter(pk=channel_id).first()
    if channel is None:
        return "removed"
    ok, error = delivery.test_channel(channel)
    return "delivered" if ok else f"failed: {error}"


def tell_reconnect(mailbox_id: int) -> str:
    from mailboxes.models import Mailbox

    mailbox = Mailbox.objects.select_related("owner__member").filter(pk=mailbox_id).first()
    if mailbox is None or mailbox.state != Mailbox.State.RECONNECT:
        return "nothing to tell"
    return delivery.tell_reconnect(mailbox)
