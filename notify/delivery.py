"""Sending due alerts, each exactly once: a row is claimed with an update that succeeds only while it
is still pending, so several workers can run this at the same time."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from otpdash import mail
from otpdash.secretbox import SecretUnreadable

from . import apprise_channel, webhook_events, webhooks
from .alerts import preference_of
from .message import Skip, compose
from .models import Alert, Channel

# A claim older than this belongs to a worker that died mid-send: the alert goes back to pending.
STALE_CLAIM = timedelta(minutes=10)
ATTEMPTS = 3
BATCH = 100
# A webhook's failed delivery waits 1, 2, 4, ... minutes before the next try, never more than this.
WEBHOOK_RETRY, WEBHOOK_RETRY_CAP = timedelta(minutes=1), timedelta(minutes=30)


def send_due(now=None) -> int:
    now = now or timezone.now()
    Alert.objects.filter(state=Alert.State.SENDING, claimed_at__lt=now - STALE_CLAIM).update(state=Alert.State.PENDING)
    sent = 0
    due = Alert.objects.filter(state=Alert.State.PENDING, due_at__lte=now).order_by("-severity", "due_at")
    for pk in list(due.values_list("pk", flat=True)[:BATCH]):
        token = secrets.token_hex(16)
        claimed = Alert.objects.filter(pk=pk, state=Alert.State.PENDING).update(
            state=Alert.State.SENDING, claim=token, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
        if claimed:
            alert = Alert.objects.select_related("member__user", "incident__account", "finding", "channel").get(pk=pk)
            sent += to_webhook(alert, token, now) if alert.channel_id else deliver(alert, token)
    return sent


def to_webhook(alert: Alert, token: str, now) -> int:
    """One claimed webhook delivery: sent once, or tried again later (exponential, capped) until the
    attempts run out or the channel is off (three failures in a row switch it off)."""
    channel = alert.channel
    if not channel.enabled:
        Alert.objects.filter(pk=alert.pk, claim=token).update(
            state=Alert.State.FAILED, outcome=f"{channel.label}: not sent, the webhook is off"[:300]
        )
        return 0
    if alert.attempts > ATTEMPTS:  # back from a send that never finished, each time it was tried
        Alert.objects.filter(pk=alert.pk, claim=token).update(
            state=Alert.State.FAILED, outcome=f"{channel.label}: not sent, {ATTEMPTS} tries never finished"[:300]
        )
        return 0
    ok, error = send_webhook(channel, webhook_events.payload(alert))
    if ok:
        fields = {"state": Alert.State.SENT, "sent_at": timezone.now()}
    elif alert.attempts < ATTEMPTS and Channel.objects.filter(pk=channel.pk, enabled=True).exists():
        wait = min(WEBHOOK_RETRY * 2 ** (alert.attempts - 1), WEBHOOK_RETRY_CAP)
        fields = {"state": Alert.State.PENDING, "due_at": now + wait}
    else:
        fields = {"state": Alert.State.FAILED}
    outcome = f"{channel.label}: {'sent' if ok else error}"[:300]
    Alert.objects.filter(pk=alert.pk, claim=token).update(outcome=outcome, **fields)
    return int(ok)


def send_webhook(channel: Channel, payload: dict) -> tuple[bool, str]:
    try:
        url, secret = channel.get_url(), channel.get_secret()
    except SecretUnreadable:
        ok, error = False, _("its address cannot be decrypted (the encryption key changed): add it again")
    else:
        ok, error = webhooks.deliver(url, secret, payload)
    channel.record(ok, error)
    return ok, error


def deliver(alert: Alert, token: str) -> int:
    """Send one claimed alert to every channel of its person; 1 if any took it."""
    # The whole alert, mail and channels, is in the recipient's language, not the worker's.
    with alert.member.in_own_language():
        try:
            message = compose(alert)
        except Skip as why:  # answered on the page, taken by someone, or silenced, before it went out
            Alert.objects.filter(pk=alert.pk, claim=token).update(
                state=Alert.State.SENT, sent_at=timezone.now(), outcome=str(why)[:300]
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
            mail.send(template, context, to=email, language=member.language_code)
            delivered = True
            outcomes.append("email: sent")
        except mail.MailUnavailable as exc:
            outcomes.append(f"email: {exc}")
    for channel in Channel.objects.filter(member=member, enabled=True, kind=Channel.Kind.APPRISE):
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
    if channel.kind == Channel.Kind.WEBHOOK:
        return send_webhook(channel, webhook_events.test_payload(channel))
    with channel.member.in_own_language():  # run as a task: the worker's language is not the person's
        return _to_channel(
            channel,
            _("OTP Dash: test"),
            _("This is a test from OTP Dash for %(name)s: the channel works.") % {"name": channel.member.display_name},
        )


def tell_reconnect(mailbox) -> str:
    """The mailbox's owner, on every channel: sign in with the provider again."""
    member = mailbox.owner.member
    with member.in_own_language():  # the owner reads it in their language, not the worker's
        link = mail.absolute(reverse("mailboxes"))
        title = _("OTP Dash: %(label)s needs you to sign in again") % {"label": mailbox.label}
        body = _(
            "%(provider)s no longer gives OTP Dash access to %(username)s, so it is not "
            "watched. Press Reconnect on %(link)s and sign in again."
        ) % {"provider": mailbox.get_auth_display(), "username": mailbox.username, "link": link}
        context = {"title": title, "body": body, "member": member}
        _delivered, outcomes = to_everywhere(member, "notify/notice", context, title, body)
        return "; ".join(outcomes) or "no channel"
