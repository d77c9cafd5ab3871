"""Detection beside the fetch (issue 28): a long first scan detected by worker processes records
exactly what the scan's own process records, each code once; a dead worker costs nothing; a key
lookup that cannot be rebuilt in a worker keeps detection inline."""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import pytest
from django.db import connections

from detect.receivers import Receiver
from scanner import detection_pool
from scanner.models import Finding
from scanner.scanning import scan_mailbox
from tests.findings import PHISHING, SINGLE_USE
from tests.mailgen import mailbox_mix, with_message_id

pytestmark = pytest.mark.django_db


def _found(owner) -> list[tuple]:
    return sorted(
        (f.message_id, f.category, f.template, tuple(f.codes_masked), tuple(f.reasons))
        for f in Finding.objects.filter(owner=owner)
    )


def test_workers_record_what_the_scan_itself_records(dovecot, member, other_member, make_mailbox, settings):
    messages, codes, fakes = mailbox_mix(1500, realistic=True)
    messages += [with_message_id(SINGLE_USE.read_bytes(), "<pool-code@otpdash.test>"),
                 with_message_id(PHISHING.read_bytes(), "<pool-fake@otpdash.test>")]  # fmt: skip
    dovecot.append(messages)
    started = []
    real = detection_pool.ProcessPoolExecutor

    def counting(*args, **kwargs):
        started.append(kwargs.get("max_workers"))
        return real(*args, **kwargs)

    settings.SCAN_WORKERS = 2
    detection_pool.ProcessPoolExecutor = counting
    try:
        with_workers = scan_mailbox(make_mailbox(member))
    finally:
        detection_pool.ProcessPoolExecutor = real
    settings.SCAN_WORKERS = 0
    inline = scan_mailbox(make_mailbox(other_member))
    assert started == [2], "the long first scan did not use its workers"
    assert with_workers.error is None and inline.error is None
    assert with_workers.examined == inline.examined == len(messages)
    assert with_workers.found == inline.found >= codes + fakes + 2
    assert _found(member) == _found(other_member)
    assert Finding.objects.filter(owner=member, message_id="<pool-code@otpdash.test>").count() == 1


def test_a_short_pass_starts_no_workers(settings):
    settings.SCAN_WORKERS = 2
    with detection_pool.detecting(Receiver(), messages=10) as detector:
        assert detector.executor is None


def test_a_key_lookup_a_worker_cannot_rebuild_keeps_detection_inline(settings):
    settings.SCAN_WORKERS = 2
    with detection_pool.detecting(Receiver(keys=lambda name, timeout=3: None), messages=5000) as detector:
        assert detector.executor is None


class _DeadPool:
    """An executor whose worker died: what ProcessPoolExecutor answers after the kernel killed one."""

    def __init__(self):
        self.shut = False

    def submit(self, *args, **kwargs):
        future = Future()
        future.set_exception(BrokenProcessPool("a worker died"))
        return future

    def shutdown(self, **kwargs):
        self.shut = True


def test_a_dead_worker_costs_nothing(settings):
    dead = _DeadPool()
    detector = detection_pool.Detector(Receiver(), dead)
    batch = detector.batch()
    raw = SINGLE_USE.read_bytes()
    batch.submit(1, raw, b"")
    batch.submit(2, PHISHING.read_bytes(), b"")
    results = list(batch.results())
    assert [(uid, f.category) for uid, _, f in results] == [(1, "ms_code"), (2, "phishing")]
    assert dead.shut and detector.executor is None  # the rest of the pass is detected inline


class _CountingPool:
    """An executor that runs each task at once in this process and keeps what it was given."""

    def __init__(self):
        self.tasks: list[tuple] = []

    def submit(self, function, *args):
        self.tasks.append(args)
        future = Future()
        future.set_result(function(*args))
        return future

    def shutdown(self, **kwargs):
        pass


def test_messages_go_to_the_workers_a_few_at_a_time_and_come_back_in_order(settings):
    pool = _CountingPool()
    detector = detection_pool.Detector(Receiver(), pool)
    batch = detector.batch()
    mails = [SINGLE_USE.read_bytes() if n % 3 else PHISHING.read_bytes() for n in range(20)]
    for uid, raw in enumerate(mails, start=1):
        batch.submit(uid, raw, b"h%d" % uid)
    results = list(batch.results())
    assert [len(raws) for raws, *_ in pool.tasks] == [8, 8, 4]
    assert [(uid, header) for uid, header, _ in results] == [(n, b"h%d" % n) for n in range(1, 21)]
    assert [f.category for _, _, f in results] == ["ms_code" if n % 3 else "phishing" for n in range(20)]
    assert list(detector.batch().results()) == []  # a batch without candidates asks nothing


def test_a_large_mail_goes_in_a_task_of_its_own(settings):
    pool = _CountingPool()
    batch = detection_pool.Detector(Receiver(), pool).batch()
    small, large = SINGLE_USE.read_bytes(), SINGLE_USE.read_bytes() + b" " * detection_pool.CHUNK_BYTES
    batch.submit(1, small, b"")
    batch.submit(2, large, b"")
    batch.submit(3, small, b"")
    assert [uid for uid, _, _ in batch.results()] == [1, 2, 3]
    assert [len(raws) for raws, *_ in pool.tasks] == [2, 1]


def _scan_in_a_daemon(pk: int, queue) -> None:
    from mailboxes.models import Mailbox

    report = scan_mailbox(Mailbox.objects.get(pk=pk))
    queue.put((report.error is None, report.examined))


@pytest.mark.django_db(transaction=True)
def test_a_scan_in_a_daemonic_process_detects_inline(dovecot, member, make_mailbox, settings):
    """A task cluster's workers are daemonic unless told otherwise, and a daemonic process may start
    no children: the scan then detects in its own process instead of failing."""
    import multiprocessing

    messages, _, _ = mailbox_mix(1200, realistic=True)
    dovecot.append(messages)
    mailbox = make_mailbox(member)
    settings.SCAN_WORKERS = 2
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_scan_in_a_daemon, args=(mailbox.pk, queue), daemon=True)
    # Closed before the fork, so the child opens its own: a child closing the parent's inherited
    # PostgreSQL connection would end the parent's session on the server too.
    connections.close_all()
    child.start()
    ok, examined = queue.get(timeout=120)
    child.join(timeout=30)
    assert ok and examined == 1200


def test_the_task_clusters_workers_may_start_detection_workers():
    from django.conf import settings

    assert settings.Q_CLUSTER["daemonize_workers"] is False


def test_the_prefilter_runs_in_a_worker_and_inline_when_the_worker_is_gone():
    from detect import worth_reading_many
    from scanner.imap.reader import Header

    headers = [
        Header(1, b"From: a@example.org\r\nSubject: Lunch\r\n", 10),
        Header(2, b"From: account-security-noreply@accountprotection.microsoft.com\r\nSubject: Code\r\n", 10),
        Header(3, b"From: b@example.org\r\nSubject: Fwd\r\n", 10, b"Your verification code is 123456", False),
    ]
    expected = worth_reading_many([h.header for h in headers], [h.snippet for h in headers], [False] * 3)
    pool = _CountingPool()
    assert detection_pool.Detector(Receiver(), pool).prefilter(headers).result() == expected
    assert len(pool.tasks) == 1 and expected == [False, True, True]
    dead = detection_pool.Detector(Receiver(), _DeadPool())
    assert dead.prefilter(headers).result() == expected and dead.executor is None
