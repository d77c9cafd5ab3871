"""make bench-scan: a first scan of 20,000 messages against a bare imaplib floor, a pass with no
new mail, IDLE latency with `watch` running, and the scan's peak memory. `make bench-scan-large`
runs it on 100,000 (BENCH_MESSAGES), to see that the cost per message stays flat as the mailbox grows.

Last line: initial_ratio=X incremental_ms=Y idle_latency_ms=Z peak_rss_mb=W prefilter_pass_rate=R
wall_s=S per_message_ms=M (S: the median first scan's wall time; M: S per message, in ms)
"""

from __future__ import annotations

import imaplib
import multiprocessing
import os
import resource
import signal
import ssl
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TOTAL = int(os.environ.get("BENCH_MESSAGES", "20000"))


def seed(dovecot, total: int) -> None:
    """In a child process, so the 20,000 generated messages never count towards the scan's memory."""
    from tests.mailgen import mailbox_mix

    messages, codes, fakes = mailbox_mix(total, realistic=True)
    dovecot.append(messages)
    print(
        f"seeded {total} messages ({sum(map(len, messages)) / 1e6:.0f} MB): {codes} code mails, {fakes} lookalikes",
        flush=True,
    )


def in_child(function, *args):
    """function(*args) in a forked child, so its memory never counts towards the scan's peak."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=lambda: queue.put(function(*args)))
    child.start()
    result = queue.get()
    child.join()
    return result


def candidates(dovecot) -> list[int]:
    """The UIDs the pre-filter passes, as the scanner reads them (outside any timing)."""
    from detect import worth_reading_many
    from scanner.imap.reader import FolderReader

    client = dovecot.client()
    reader = FolderReader(client)
    reader.examine("INBOX")
    headers = []
    for start in range(1, TOTAL + 1, 1000):  # in the scanner's batches, so this helper stays small
        headers += reader.headers(list(range(start, min(start + 1000, TOTAL + 1))))
    client.logout()
    worth = worth_reading_many([h.header for h in headers], [h.snippet for h in headers],
                               [h.attaches_mail for h in headers])  # fmt: skip
    return [h.uid for h, keep in zip(headers, worth, strict=True) if keep]


def baseline(dovecot, special_uids: list[int]) -> float:
    """The floor: stdlib imaplib, the same pre-filter items of every message and the whole
    messages the pre-filter passes, unparsed."""
    from scanner.imap.reader import PREFILTER_ITEMS

    started = time.perf_counter()
    context = ssl.create_default_context(cafile=str(dovecot.ca_file))
    imap = imaplib.IMAP4_SSL("127.0.0.1", dovecot.imaps_port, ssl_context=context)
    imap.login("alice", dovecot.users["alice"])
    imap.select("INBOX", readonly=True)
    imap.uid("FETCH", "1:*", PREFILTER_ITEMS)
    for start in range(0, len(special_uids), 25):
        imap.uid("FETCH", ",".join(map(str, special_uids[start : start + 25])), "(BODY.PEEK[])")
    imap.logout()
    return time.perf_counter() - started


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="otpdash-bench-"))
    os.environ.update(
        OTPDASH_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="otpdash.settings", OTPDASH_LOG_LEVEL="WARNING"
    )
    os.environ.pop("DATABASE_URL", None)  # the embedded default, as `make run` serves it
    from tests.dovecot import MISSING, Dovecot, dovecot_binary

    if dovecot_binary() is None:
        sys.exit(MISSING)
    # Dovecot learns of new mail for IDLE through inotify (128 instances per user); when other
    # programs hold them all, it looks only every 30 s and the IDLE step below fails. Then it looks
    # every second, which idle_latency_ms shows (about 1,000 ms instead of about 500 ms).
    dovecot = Dovecot(extra_config="mailbox_idle_check_interval = 1 secs\n").start()
    watch = None
    try:
        child = multiprocessing.get_context("fork").Process(target=seed, args=(dovecot, TOTAL))
        child.start()
        child.join()
        if child.exitcode != 0:
            sys.exit("seeding failed")

        import django

        django.setup()
        from django.contrib.auth.models import User
        from django.core.management import call_command

        from mailboxes.models import Mailbox
        from scanner.models import Finding
        from scanner.scanning import scan_mailbox
        from tests.mailgen import code_mail

        call_command("migrate", verbosity=0)
        special = [n + 1 for n in range(TOTAL) if n % 50 == 25 or n % 100 == 60]
        passed = in_child(candidates, dovecot)
        prefilter_pass_rate = len(passed) / TOTAL
        assert set(special) <= set(passed), "the pre-filter dropped a code mail or a lookalike"
        print(f"pre-filter passes {len(passed)} of {TOTAL} messages", flush=True)
        in_child(baseline, dovecot, passed)  # warm Dovecot's caches and indexes for both sides alike

        def new_mailbox(owner: str) -> Mailbox:
            mailbox = Mailbox(
                owner=User.objects.create_user(owner),
                label=owner,
                host="127.0.0.1",
                port=dovecot.imaps_port,
                security="ssl",
                username="alice",
                ca_certificate=dovecot.ca_file.read_text(),
                folders=["INBOX"],
            )
            mailbox.set_secret(dovecot.users["alice"])
            mailbox.save()
            return mailbox

        scans = []
        for run in range(3):
            mailbox = new_mailbox(f"bench{run}")
            started = time.perf_counter()
            report = scan_mailbox(mailbox)
            scans.append(time.perf_counter() - started)
            assert report.error is None and report.examined == TOTAL, report
            assert report.found == len(special), report
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        floors = [in_child(baseline, dovecot, passed) for _ in range(3)]
        initial_ratio = statistics.median(scans) / statistics.median(floors)
        wall_s = statistics.median(scans)
        per_message_ms = wall_s * 1000 / TOTAL
        print(
            f"first scan {statistics.median(scans):.2f} s (runs {', '.join(f'{s:.2f}' for s in scans)}); "
            f"imaplib floor {statistics.median(floors):.2f} s",
            flush=True,
        )

        passes = []
        for _ in range(10):
            started = time.perf_counter()
            assert scan_mailbox(mailbox).examined == 0
            passes.append((time.perf_counter() - started) * 1000)
        incremental_ms = statistics.median(passes)
        print(
            f"pass with no new mail: median {incremental_ms:.1f} ms (min {min(passes):.1f}, max {max(passes):.1f})",
            flush=True,
        )

        from django.db import connections

        connections.close_all()
        Mailbox.objects.exclude(pk=mailbox.pk).update(enabled=False)
        import subprocess

        log = open(data_dir / "watch.log", "w")
        watch = subprocess.Popen(
            [sys.executable, "manage.py", "watch", "--refresh", "1"],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        # Ready when the watcher's first pass has run (it records a success) and IDLE has begun.
        before = Mailbox.objects.get(pk=mailbox.pk).last_success_at
        deadline = time.monotonic() + 60
        while Mailbox.objects.get(pk=mailbox.pk).last_success_at == before and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
        latencies = []
        for n in range(10):
            message_id = f"<code-{100000 + n}@otpdash.test>"
            started = time.perf_counter()
            dovecot.append([code_mail(100000 + n)])
            while not Finding.objects.filter(owner=mailbox.owner, message_id=message_id).exists():
                if time.perf_counter() - started > 30:
                    sys.exit(f"no sighting 30 s after APPEND; watch log:\n{(data_dir / 'watch.log').read_text()}")
                time.sleep(0.005)
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.3)
        idle_latency_ms = statistics.median(latencies)
        print(
            f"APPEND to sighting with watch running: median {idle_latency_ms:.0f} ms "
            f"(min {min(latencies):.0f}, max {max(latencies):.0f})",
            flush=True,
        )
        print(
            f"initial_ratio={initial_ratio:.2f} incremental_ms={incremental_ms:.1f} "
            f"idle_latency_ms={idle_latency_ms:.0f} peak_rss_mb={peak_rss_mb:.1f} "
            f"prefilter_pass_rate={prefilter_pass_rate:.3f} wall_s={wall_s:.2f} per_message_ms={per_message_ms:.3f}"
        )
    finally:
        if watch is not None:
            watch.send_signal(signal.SIGTERM)
            watch.wait(timeout=20)
        dovecot.destroy()
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
