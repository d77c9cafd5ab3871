"""The django-q2 schedule: due mailboxes are claimed once and scanned; one failure stops no other."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Schedule, Task

from mailboxes.models import Mailbox
from scanner import tasks
from scanner.models import Finding
from tests.mailgen import code_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def sync_tasks(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)


def test_migrate_installs_one_schedule(db):
    call_command("migrate", verbosity=0)
    call_command("migrate", verbosity=0)
    schedule = Schedule.objects.get(func="scanner.tasks.scan_due")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)


def test_due_mailboxes_are_scanned_and_a_broken_one_stops_no_other(dovecot, member, make_mailbox, sync_tasks):
    dovecot.append([code_mail(1)])
    broken = make_mailbox(member)
    broken.port = 1  # nothing listens there
    broken.save()
    good = make_mailbox(member)
    paused = make_mailbox(member)
    Mailbox.objects.filter(pk=paused.pk).update(state=Mailbox.State.PAUSED)
    disabled = make_mailbox(member, enabled=False)

    assert tasks.scan_due() == 2

    assert Finding.objects.count() == 1
    states = dict(Mailbox.objects.values_list("pk", "state"))
    assert states[good.pk] == "ok" and states[broken.pk] == "error"
    assert states[paused.pk] == "paused" and states[disabled.pk] == "new"
    assert "refused the connection" in Mailbox.objects.get(pk=broken.pk).last_error
    assert sorted(Task.objects.values_list("name", flat=True)) == sorted(
        [f"scan-mailbox-{broken.pk}", f"scan-mailbox-{good.pk}"]
    )


def test_a_mailbox_is_not_due_again_before_its_interval(dovecot, member, make_mailbox, sync_tasks):
    mailbox = make_mailbox(member, poll_minutes=10)
    assert tasks.scan_due() == 1
    assert tasks.scan_due() == 0
    Mailbox.objects.filter(pk=mailbox.pk).update(next_scan_at=timezone.now() - timedelta(seconds=1))
    assert tasks.scan_due() == 1


def test_a_claimed_mailbox_is_not_queued_twice(member, monkeypatch):
    mailbox = Mailbox(owner=member, label="x", host="127.0.0.1", username="a")
    mailbox.set_secret("s")
    mailbox.save()
    queued = []
    monkeypatch.setattr(tasks, "async_task", lambda *args, **kwargs: queued.append(args))
    real_due = Mailbox.objects.due

    class ReadThenRaced:
        """The due list as read, after which another scheduler claims the mailbox first."""

        def __init__(self, now=None):
            self.now = now

        def values_list(self, *fields):
            rows = list(real_due(self.now).values_list(*fields))
            Mailbox.objects.filter(pk=mailbox.pk).update(next_scan_at=timezone.now() + timedelta(minutes=5))
            return rows

    due_then_someone_else_claims = ReadThenRaced

    monkeypatch.setattr(Mailbox.objects, "due", due_then_someone_else_claims)
    assert tasks.scan_due() == 0 and queued == []


def test_scan_one_of_a_removed_mailbox_is_harmless(db):
    assert tasks.scan_one(12345) == "removed"
