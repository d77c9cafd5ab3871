"""Watch processes share mailboxes through leases (scanner/leases.py), here in one process with one
Membership per simulated watcher, on the test database (SQLite, and PostgreSQL under DATABASE_URL).
The real processes, killed for real, are in test_watchers_share.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from mailboxes.models import Mailbox
from scanner.leases import Membership, Watcher, WatchLease

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mailboxes(member):
    made = []
    for n in range(10):
        mailbox = Mailbox(owner=member, label=f"m{n}", host="127.0.0.1", username=f"u{n}")
        mailbox.set_secret("x")
        mailbox.save()
        made.append(mailbox.pk)
    return made


@pytest.fixture
def watchers():
    made = []

    def make(capacity=100):
        membership = Membership(capacity)
        membership.join()
        made.append(membership)
        return membership

    yield make
    for membership in made:
        membership.leave()


def settle(memberships, wanted, rounds=3):
    held = {}
    for _ in range(rounds):
        for membership in memberships:
            held[membership] = membership.tick(wanted)
    return held


def assert_disjoint_and_complete(held, wanted):
    sets = list(held.values())
    assert set().union(*sets) == set(wanted)
    assert sum(len(s) for s in sets) == len(wanted), "a mailbox is held twice"
    holders = dict(WatchLease.objects.filter(watcher__isnull=False).values_list("mailbox_id", "watcher__key"))
    for membership, mailbox_ids in held.items():
        assert {pk for pk in mailbox_ids if holders.get(pk) == membership.watcher.key} == mailbox_ids


def test_two_watchers_split_the_mailboxes_evenly_and_never_share_one(mailboxes, watchers):
    wanted = dict.fromkeys(mailboxes, 1)
    first = watchers()
    assert first.tick(wanted) == set(mailboxes)  # alone, it takes everything
    second = watchers()
    held = settle([first, second], wanted)
    assert_disjoint_and_complete(held, wanted)
    assert sorted(len(s) for s in held.values()) == [5, 5]


def test_a_watcher_that_dies_is_noticed_at_once_and_its_mailboxes_taken_over(mailboxes, watchers):
    wanted = dict.fromkeys(mailboxes, 1)
    first, second = watchers(), watchers()
    held = settle([first, second], wanted)
    assert len(held[second]) == 5
    second.liveness.release()  # what the system does when the process dies: the lock or the file is freed
    assert first.tick(wanted) == set(mailboxes)  # one tick, long before its heartbeat lapses
    assert not Watcher.objects.filter(pk=second.watcher.pk).exists()


def test_a_watcher_whose_heartbeat_lapsed_loses_its_leases_and_comes_back_with_nothing(mailboxes, watchers):
    wanted = dict.fromkeys(mailboxes, 1)
    first, second = watchers(), watchers()
    settle([first, second], wanted)
    stalled_key = second.watcher.key
    long_ago = timezone.now() - timedelta(minutes=5)
    Watcher.objects.filter(pk=second.watcher.pk).update(seen_at=long_ago)  # stalled, though still holding its lock
    assert first.tick(wanted) == set(mailboxes)
    second.renewed_at = long_ago  # its heartbeat is due
    assert second.tick(wanted) == set()  # it finds itself buried: a new identity holding nothing
    assert second.watcher.key != stalled_key
    held = settle([first, second], wanted)
    assert_disjoint_and_complete(held, wanted)
    assert sorted(len(s) for s in held.values()) == [5, 5]


def test_leaving_frees_everything_for_the_next_tick(mailboxes, watchers):
    wanted = dict.fromkeys(mailboxes, 1)
    first, second = watchers(), watchers()
    settle([first, second], wanted)
    second.leave()
    assert first.tick(wanted) == set(mailboxes)


def test_the_connection_cap_is_never_exceeded_and_the_rest_is_left_for_others(mailboxes, watchers):
    wanted = dict.fromkeys(mailboxes, 3)  # three watched folders each
    small = watchers(capacity=10)
    assert len(small.tick(wanted)) == 3  # 9 connections; a fourth mailbox would make 12
    big = watchers(capacity=100)
    held = settle([small, big], wanted)
    assert_disjoint_and_complete(held, wanted)
    assert sum(wanted[pk] for pk in held[small]) <= 10


def test_a_mailbox_no_longer_wanted_is_given_up(mailboxes, watchers):
    wanted = dict.fromkeys(mailboxes, 1)
    only = watchers()
    only.tick(wanted)
    del wanted[mailboxes[0]]  # paused, or removed
    assert only.tick(wanted) == set(mailboxes[1:])
    assert WatchLease.objects.get(mailbox_id=mailboxes[0]).watcher is None


def test_a_removed_mailbox_takes_its_lease_with_it(mailboxes, watchers):
    only = watchers()
    only.tick(dict.fromkeys(mailboxes, 1))
    Mailbox.objects.get(pk=mailboxes[0]).delete()
    assert not WatchLease.objects.filter(mailbox_id=mailboxes[0]).exists()


def test_the_scan_lock_of_a_dead_watcher_is_freed_but_not_that_of_a_late_one(mailboxes, watchers):
    wanted = dict.fromkeys(mailboxes, 1)
    first, dead, late = watchers(), watchers(), watchers()
    settle([first, dead, late], wanted)
    until = timezone.now() + timedelta(seconds=45)
    dead_lock, late_lock = mailboxes[0], mailboxes[1]
    Mailbox.objects.filter(pk=dead_lock).update(lock_token=dead.lock_prefix + "a" * 22, locked_until=until)
    Mailbox.objects.filter(pk=late_lock).update(lock_token=late.lock_prefix + "b" * 22, locked_until=until)
    dead.liveness.release()  # killed mid-pass
    Watcher.objects.filter(pk=late.watcher.pk).update(seen_at=timezone.now() - timedelta(minutes=5))  # stalled
    first.tick(wanted)
    assert Mailbox.objects.get(pk=dead_lock).lock_token == ""  # its pass can never finish: free at once
    assert Mailbox.objects.get(pk=late_lock).lock_token.startswith(late.lock_prefix)  # may still be writing


def test_a_scan_lock_token_carries_the_holder_and_stays_32_characters(member, monkeypatch):
    from scanner.scanning import scan_mailbox

    mailbox = Mailbox(owner=member, label="x", host="127.0.0.1", port=1, username="u")
    mailbox.set_secret("x")
    mailbox.save()
    Mailbox.objects.filter(pk=mailbox.pk).update(
        lock_token="someone", locked_until=timezone.now() + timedelta(minutes=1)
    )
    tried = []
    monkeypatch.setattr(Mailbox, "try_lock", lambda self, token: tried.append(token) or False)
    assert scan_mailbox(mailbox, holder="w0000abcd-").busy
    assert tried and all(len(token) == 32 and token.startswith("w0000abcd-") for token in tried)
