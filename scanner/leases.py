"""Watch processes share the watched mailboxes through the database: a lease per mailbox.

Every few seconds each process renews its own leases and its heartbeat, frees the leases of peers
that have died (liveness.py tells at once; a heartbeat older than the lease tells in any case), gives
up what it holds beyond its fair share, and claims free leases up to that share and its connection
cap. A claim is a conditional UPDATE, so of two claimants exactly one wins.
"""

from __future__ import annotations

import math
import os
import random
import secrets
import socket
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from mailboxes.models import Mailbox

from . import liveness
from .models import Watcher, WatchLease


def lease_length() -> timedelta:
    return timedelta(seconds=settings.WATCH_LEASE_SECONDS)


def lock_prefix(key: int) -> str:
    """How a watcher's scan-lock tokens begin (ten characters; a token is 32)."""
    return f"w{key:08x}-"


class Membership:
    """This process's part in the sharing. `tick` is called by the supervisor's loop only."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.liveness = liveness.for_database()
        self.watcher: Watcher | None = None
        self.renewed_at = None

    def join(self) -> None:
        for _ in range(5):
            key = secrets.randbelow(2**31 - 1) + 1
            self.liveness.hold(key)  # before the row exists, so a row without it means a dead process
            try:
                now = timezone.now()
                self.watcher = Watcher.objects.create(
                    key=key, name=f"{socket.gethostname()}:{os.getpid()}", capacity=self.capacity, seen_at=now
                )
                self.renewed_at = now
                return
            except IntegrityError:
                self.liveness.release()  # that key is taken: draw another
        raise RuntimeError("could not register the watcher")

    @property
    def lock_prefix(self) -> str:
        return lock_prefix(self.watcher.key) if self.watcher else ""

    def leave(self) -> None:
        """Free everything at once, so peers take over on their next tick instead of at expiry."""
        if self.watcher is not None:
            WatchLease.objects.filter(watcher=self.watcher).update(watcher=None, expires_at=None)
            Watcher.objects.filter(pk=self.watcher.pk).delete()
            self.watcher = None
        self.liveness.release()

    def tick(self, wanted: dict[int, int]) -> set[int]:
        """wanted: each watchable mailbox's id and the connections watching it takes. Returns the ids
        of the mailboxes this process holds now. Only reads, unless something changes or the
        heartbeat is due (a third of the lease): SQLite on an SD card is spared a write a second."""
        now = timezone.now()
        if self.renewed_at is None or now - self.renewed_at >= lease_length() / 3:
            self._renew(now)
        self._bury_dead(now)
        known = set(WatchLease.objects.filter(mailbox_id__in=list(wanted)).values_list("mailbox_id", flat=True))
        if len(known) < len(wanted):
            WatchLease.objects.bulk_create([WatchLease(mailbox_id=pk) for pk in set(wanted) - known],
                                           ignore_conflicts=True)  # fmt: skip
        holders = WatchLease.objects.filter(watcher__isnull=False).values_list("watcher_id", "mailbox_id")
        held_by: dict[int, list[int]] = {}
        for watcher_id, mailbox_id in holders:
            held_by.setdefault(watcher_id, []).append(mailbox_id)
        held = set(held_by.pop(self.watcher.pk, []))
        limit = self._limit(wanted, held_by, now)
        keep = sorted(pk for pk in held if pk in wanted)[:limit]  # given up: removed, paused, beyond the limit
        self._release(held - set(keep))
        held = set(keep)
        room = self.capacity - sum(wanted[pk] for pk in held)
        if len(held) < limit and room > 0:
            held |= self._claim(wanted, limit - len(held), room, now)
        return held

    def _limit(self, wanted: dict[int, int], held_by: dict[int, list[int]], now) -> int:
        """A fair share while another live watcher is below its share with room to spare; otherwise
        whatever fits, so mailboxes that capped peers cannot take are still watched."""
        peers = Watcher.objects.exclude(pk=self.watcher.pk).filter(seen_at__gte=now - lease_length())
        capacities = dict(peers.values_list("pk", "capacity"))
        share = math.ceil(len(wanted) / (len(capacities) + 1))
        smallest = min(wanted.values(), default=1)
        for pk, capacity in capacities.items():
            theirs = [mailbox_id for mailbox_id in held_by.get(pk, []) if mailbox_id in wanted]
            if len(theirs) < share and capacity - sum(wanted[m] for m in theirs) >= smallest:
                return share
        return len(wanted)

    def _renew(self, now) -> None:
        if not self.liveness.still_held() or not Watcher.objects.filter(pk=self.watcher.pk).update(seen_at=now):
            # Taken for dead (our session dropped, or we stalled past the lease): start over with a new
            # identity, holding nothing; the others may already watch what we held.
            self.leave()
            self.join()
        WatchLease.objects.filter(watcher=self.watcher).update(expires_at=now + lease_length())
        self.renewed_at = now

    def _release(self, mailbox_ids: set[int]) -> None:
        if mailbox_ids:
            WatchLease.objects.filter(watcher=self.watcher, mailbox_id__in=list(mailbox_ids)).update(
                watcher=None, expires_at=None
            )

    def _bury_dead(self, now) -> None:
        rows = list(Watcher.objects.exclude(pk=self.watcher.pk).values_list("key", "pk", "seen_at"))
        peers = {key: pk for key, pk, _ in rows}
        lapsed = {key for key, _, seen_at in rows if seen_at < now - lease_length()}
        gone = self.liveness.dead(list(peers))
        for key in gone:
            # Its scan locks too: a pass it had begun would otherwise block the mailbox until the
            # lock's own lease lapses. Only for a process known to be gone, never one merely late.
            Mailbox.objects.filter(lock_token__startswith=lock_prefix(key)).update(lock_token="", locked_until=None)
        dead = lapsed | gone
        if dead:
            ids = [peers[key] for key in dead if key in peers]
            WatchLease.objects.filter(watcher_id__in=ids).update(watcher=None, expires_at=None)
            Watcher.objects.filter(pk__in=ids).delete()

    def _claim(self, wanted: dict[int, int], count: int, room: int, now) -> set[int]:
        free = list(WatchLease.objects.filter(WatchLease.free(now), mailbox_id__in=list(wanted)).values_list(
            "mailbox_id", flat=True))  # fmt: skip
        random.shuffle(free)  # two watchers starting together then mostly try different mailboxes
        picked = []
        for pk in free:
            if len(picked) == count:
                break
            if wanted[pk] <= room:
                picked.append(pk)
                room -= wanted[pk]
        if not picked:
            return set()
        WatchLease.objects.filter(WatchLease.free(now), mailbox_id__in=picked).update(
            watcher=self.watcher, expires_at=self.renewed_at + lease_length()
        )
        return set(WatchLease.objects.filter(watcher=self.watcher, mailbox_id__in=picked).values_list(
            "mailbox_id", flat=True))  # fmt: skip
