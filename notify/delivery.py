"""Sending due alerts, each exactly once: a row is claimed with an update that succeeds only while it
is still pending, so several workers can run this at the same time."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from otpdash import mail
from otpdash.secretbox import SecretUnreadable

from . import apprise_channel
from .alerts import preference_of
from .message import compose
from .models import Alert, Channel

# A claim older than this belongs to a worker that died mid-send: the alert goes back to pending.
STALE_CLAIM = timedelta(minutes=10)
ATTEMPTS = 3
BATCH = 100


def send_due(now=None) -> int:
    now = now or timezone.now()
    Alert.objects.filter(state=Alert.State.SENDING, claimed_at__lt=now - STALE_CLAIM).update(state=Alert.State.PENDING)
    sent = 0
    due = Alert.objects.filter(state=Alert.State.PENDING, due_at__lte=now).order_by("-severity", "due_at")
    for pk in list(due.values_list("pk", flat=True)[:BATCH]):
        token = secrets.token_hex(16)
        claimed = Alert.objects.filter(pk=pk, state=Alert.State.PENDING).update(
            state=Alert.State.SENDING, claim=token, claimed_at=now, attempts=F("attempts") + 1
        )
        if claimed:
            sent += deliver(
                Alert.objects.select_related("member__user", "incident__account", "finding").get(pk=pk), token
            )
    return sent


def deliver(alert: Alert, token: str) -> int:
    """Send one claimed alert to every channel of its person; 1 if any took it."""
    message = compose(alert)
    if message is None:  # a question answered on the page before it went out
        Alert.objects.filter(pk=alert.pk, claim=token).update(
            state=Alert.State.SENT, sent_at=timezone.now(), outcome="not sent: already answered"
        )
        return 0
    context = {"message": message, "member": alert.member}
    delivered, outcomes = to_everywhere(alert.member, "notify/alert", context, message.title, message.text())
    nowhere = not outcomes
    if nowhere:
        outcomes.append("no channel: turn on email alerts or add a channel")
    now = timezone.now()
    if delivered:
        fields = {"state": Alert.State.SENT, "sent_at": now}
    elif not nowhere and alert.attempts < ATTEMPTS:  # tried again later, a little later each time
        fields = {"state": Alert.State.PENDING, "due_at": now + timedelta(minutes=5 * alert.attempts)}
    else:
        fields = {"state": Alert.State.FAILED}
    Alert.objects.filter(pk=alert.pk, claim=token).update(outcome="; ".join(outcomes)[:300], **fields)
    return int(delivered)


def to_everywhere(member, template: str, context: dict, title: str, body: str) -> tuple[bool, list[str]]:
    """One message to a person: by email (the template) if they want alerts by email, and to each
    channel that is on. (delivered anywhere, what happened on each)."""
    outcomes, delivered = [], False
    email = member.user.email
    if preference_of(member).email_alerts and email:
        try:
            mail.send(template, context, to=email)
            delivered = True
            outcomes.append("email: sent")
        except mail.MailUnavailable as exc:
            outcomes.append(f"email: {exc}")
    for channel in Channel.objects.filter(member=member, enabled=True):
        ok, error = _to_channel(channel, title, body)
        delivered |= ok
        outcomes.append(f"{channel.label}: {'sent' if ok else error}")
    return delivered, outcomes


def _to_channel(channel: Channel, title: str, body: str) -> tuple[bool, str]:
    try:
        url = channel.get_url()
    except SecretUnreadable:
        ok, error = False, "its URL cannot be decrypted (the encryption key changed): add it again"
    else:
        ok, error = apprise_channel.deliver(url, title, body)
    channel.record(ok, error)
    return ok, error


def test_channel(channel: Channel) -> tuple[bool, str]:
    return _to_channel(
        channel, "OTP Dash: test", f"This is a test from OTP Dash for {channel.member.display_name}: the channel works."
    )


def tell_reconnect(mailbox) -> str:
    """The mailbox's owner, on every channel: sign in with the provider again."""
    member = mailbox.owner.member
    link = mail.absolute(reverse("mailboxes"))
    title = f"OTP Dash: {mailbox.label} needs you to sign in again"
    body = (
        f"{mailbox.get_auth_display()} no longer gives OTP Dash access to {mailbox.username}, so it is not "
        f"watched. Press Reconnect on {link} and sign in again."
    )
    context = {"title": title, "body": body, "member": member}
    _, outcomes = to_everywhere(member, "notify/notice", context, title, body)
    return "; ".join(outcomes) or "no channel"
