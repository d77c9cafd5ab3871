"""Detection beside the fetch: worker processes that run detect() on the messages a scan fetched,
so reading the next batch from the server and judging this one happen at the same time. The
pre-filter over each batch's header fields runs there too, while the scan stores the batch before.

Workers are started by a fork server (multiprocessing's "forkserver"): a fresh interpreter that
imports only `detect`, so no worker shares the scanning process's database connections or threads.
Workers live for one long pass (a first scan); with one core, OTPDASH_SCAN_WORKERS=0 or 1, or a
short pass, detection runs inline as before. A worker that dies (killed for memory, say) costs
nothing: its messages are detected inline, and so is the rest of the pass.

detect() keeps its per-message budget in the worker (it counts the worker's own CPU time). The
receiver travels without its key lookup, which cannot be pickled; each worker builds its own from
the same resolver setting and keeps its cache.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import replace

from detect import Finding, detect, worth_reading_many
from detect.receivers import Receiver

log = logging.getLogger(__name__)

# Fewer messages than this are detected inline: starting workers costs more than it saves.
PARALLEL_FROM = 1000
# Messages per task: a handful, so both workers stay busy on a batch's few dozen candidates.
CHUNK_MESSAGES = 8
CHUNK_BYTES = 1024 * 1024
_worker_keys = {}  # in a worker: resolver setting -> its key cache


def workers_wanted() -> int:
    from django.conf import settings

    wanted = settings.SCAN_WORKERS
    if wanted is None:
        wanted = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return wanted if wanted > 1 else 0


@contextmanager
def detecting(receiver: Receiver, messages: int):
    """A Detector for one folder's pass: with worker processes when it is long enough to gain from
    them (a first scan), inline otherwise. The workers end with the pass, so a small server holds no
    idle processes between first scans."""
    from scanner.keys import dkim_keys

    executor = None
    count = workers_wanted() if messages >= PARALLEL_FROM else 0
    if multiprocessing.current_process().daemon:
        count = 0  # a daemonic process may not start children (a task cluster's default workers)
    # Only the process's own key lookup can be rebuilt in a worker (from the same setting).
    if count and (receiver.keys is None or receiver.keys is dkim_keys()):
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["detect"])
        executor = ProcessPoolExecutor(max_workers=count, mp_context=context)
    detector = Detector(receiver, executor)
    try:
        yield detector
    finally:
        if detector.executor is not None:
            detector.executor.shutdown(wait=False, cancel_futures=True)


def _HAS_KEYS(*args, **kwargs):
    """Stands for the scan's key lookup in what is pickled to a worker, which uses its own."""
    return None


def _in_worker(raws: list[bytes], receiver: Receiver, resolvers) -> list[Finding]:
    if resolvers not in _worker_keys:
        from scanner.keys import KeyCache, resolver_for

        resolver = resolver_for(resolvers)
        _worker_keys[resolvers] = KeyCache(resolver) if resolver is not None else None
    keys = _worker_keys[resolvers] if receiver.keys is not None else None
    receiver = replace(receiver, keys=keys)
    return [detect(raw, prefiltered=True, receiver=receiver) for raw in raws]


class Detector:
    def __init__(self, receiver: Receiver, executor: ProcessPoolExecutor | None):
        from django.conf import settings

        self.receiver, self.executor = receiver, executor
        self.resolvers = settings.DNS_RESOLVERS
        # Pickled once per message: the lookup itself stays behind (a marker says there was one).
        self.shipped = replace(receiver, keys=_HAS_KEYS if receiver.keys else None)

    def batch(self) -> Batch:
        return Batch(self)

    def prefilter(self, headers: list) -> Prefilter:
        """The pre-filter over a batch's header fields (scanner.imap.reader.Header), in a worker when
        there are workers, so the scan stores the batch before meanwhile; read back with result()."""
        return Prefilter(self, headers)

    def lost_workers(self) -> None:
        log.warning("a detection worker died: the rest of this pass is detected in the scan itself")
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None


class Prefilter:
    """worth_reading_many() over one batch's headers, started at once and read back when needed."""

    def __init__(self, detector: Detector, headers: list):
        self.detector = detector
        self.args = ([h.header for h in headers], [h.snippet for h in headers], [h.attaches_mail for h in headers])
        self.future: Future | None = None
        if detector.executor is not None:
            try:
                self.future = detector.executor.submit(worth_reading_many, *self.args)
            except Exception:
                log.exception("detection workers are unavailable")
                detector.lost_workers()

    def result(self) -> list[bool]:
        if self.future is not None:
            try:
                return self.future.result()
            except BrokenProcessPool:
                self.detector.lost_workers()
        return worth_reading_many(*self.args)


class Batch:
    """The detections of one batch, submitted as its messages arrive and read back in order. They go
    to the workers a few at a time: each task costs the pool two pipe round trips and some thread
    wake-ups, as much as detecting a small mail."""

    def __init__(self, detector: Detector):
        self.detector = detector
        self.items: list[tuple[int, bytes, bytes]] = []
        self.chunks: list[tuple[int, int, Future | None]] = []  # (first item, item after the last, its task)
        self.sent = 0  # items handed to a task (or to be detected inline)

    def submit(self, uid: int, raw: bytes, header: bytes) -> None:
        self.items.append((uid, header, raw))
        waiting = self.items[self.sent :]
        if len(waiting) >= CHUNK_MESSAGES or sum(len(item[2]) for item in waiting) >= CHUNK_BYTES:
            self._send()

    def _send(self) -> None:
        start, future, executor = self.sent, None, self.detector.executor
        if start == len(self.items):
            return
        if executor is not None:
            raws = [raw for _, _, raw in self.items[start:]]
            try:
                future = executor.submit(_in_worker, raws, self.detector.shipped, self.detector.resolvers)
            except Exception:  # the pool could not start or is broken: this pass detects inline
                log.exception("detection workers are unavailable")
                self.detector.lost_workers()
        self.chunks.append((start, len(self.items), future))
        self.sent = len(self.items)

    def results(self):
        """(uid, header, finding) for each message, in the order submitted."""
        self._send()
        for start, end, future in self.chunks:
            findings = None
            if future is not None:
                try:
                    findings = future.result()
                except BrokenProcessPool:
                    self.detector.lost_workers()
            for index in range(start, end):
                uid, header, raw = self.items[index]
                if findings is not None:
                    finding = findings[index - start]
                else:
                    finding = detect(raw, prefiltered=True, receiver=self.detector.receiver)
                yield uid, header, finding
