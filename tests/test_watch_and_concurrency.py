"""Real processes against a real Dovecot: `watch` over IDLE, and two scans of one mailbox at once."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

from tests.mailgen import code_mail, mailbox_mix
from tests.manage_process import ROOT, Install

FINDING = "SELECT id FROM scanner_finding WHERE message_id = ?"


def test_watch_turns_appended_mail_into_findings_reconnects_and_stops_on_sigterm(dovecot, tmp_path):
    install = Install(tmp_path)
    pk = install.setup_member_and_mailbox(dovecot)
    log = tmp_path / "watch.log"
    watch = install.popen("watch", "--refresh", "0.5", log=log)
    try:
        install.wait_for("SELECT 1 FROM scanner_mailbox WHERE id = ? AND state = 'ok'", pk)
        install.wait_for("SELECT 1 FROM scanner_foldercursor WHERE mailbox_id = ? AND folder = 'Junk'", pk)

        dovecot.append([code_mail(1)])
        install.wait_for(FINDING, "<code-1@otpdash.test>", seconds=10)
        dovecot.append([code_mail(2)], folder="Junk")
        install.wait_for(FINDING, "<code-2@otpdash.test>", seconds=10)

        dovecot.stop()  # the server goes away under the IDLE connections, then comes back
        time.sleep(1)
        dovecot.start()
        dovecot.append([code_mail(3)])
        install.wait_for(FINDING, "<code-3@otpdash.test>", seconds=60)
    finally:
        watch.send_signal(signal.SIGTERM)
        try:
            code = watch.wait(timeout=15)
        except subprocess.TimeoutExpired:
            watch.kill()
            raise AssertionError("watch did not stop within 15 s of SIGTERM:\n" + log.read_text()) from None
    text = log.read_text()
    assert code == 0, text
    assert "SIGTERM received, stopping" in text and "watch: stopped" in text
    assert "Traceback" not in text, text
    assert install.query("SELECT COUNT(*) FROM scanner_finding") == [(3,)]
    assert install.query("SELECT COUNT(*) FROM scanner_sighting") == [(3,)]


def scan_process(install: Install, pk: int, lease: str | None = None) -> subprocess.Popen:
    env = {**install.env, **({"OTPDASH_SCAN_LEASE_SECONDS": lease} if lease else {})}
    return subprocess.Popen(
        [sys.executable, "manage.py", "scan", "--mailbox", str(pk)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_scans_of_one_mailbox_at_once_never_overlap_or_duplicate(dovecot, tmp_path):
    messages, codes, fakes = mailbox_mix(6000)
    dovecot.append(messages)
    install = Install(tmp_path)
    pk = install.setup_member_and_mailbox(dovecot, "--folder", "INBOX")
    runs = [scan_process(install, pk), scan_process(install, pk)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    text = "".join(out for out, _ in outputs)
    # However the two met, the folder was read once: one read it all, the other found nothing new
    # (it waited, or came after) or stepped aside.
    assert sum(int(n) for n in re.findall(r"INBOX: examined (\d+)", text)) == 6000, text
    assert install.query("SELECT COUNT(*) FROM scanner_finding") == [(codes + fakes,)]
    assert install.query("SELECT COUNT(*) FROM scanner_sighting") == [(codes + fakes,)]


def test_a_scan_waits_while_another_process_holds_the_lock(dovecot, tmp_path):
    dovecot.append([code_mail(1)])
    install = Install(tmp_path)
    pk = install.setup_member_and_mailbox(dovecot, "--folder", "INBOX")
    install.query(
        "UPDATE scanner_mailbox SET lock_token = 'other-worker', locked_until = datetime('now', '+1 hour') "
        "WHERE id = ?",
        pk,
    )
    run = scan_process(install, pk)
    first_line = run.stdout.readline()
    assert first_line == f"{pk} alice on 127.0.0.1: another scan is running; waiting up to 5 s\n", first_line
    time.sleep(0.5)
    assert install.query("SELECT COUNT(*) FROM scanner_foldercursor") == [(0,)]  # nothing read meanwhile
    assert install.query("SELECT lock_token FROM scanner_mailbox WHERE id = ?", pk) == [("other-worker",)]
    install.query("UPDATE scanner_mailbox SET lock_token = '', locked_until = NULL WHERE id = ?", pk)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    assert "INBOX: examined 1, read 1, new findings 1" in out
    assert install.query("SELECT lock_token, locked_until FROM scanner_mailbox WHERE id = ?", pk) == [("", None)]


def test_a_running_scan_keeps_its_lock_past_the_lease_by_its_heartbeat(dovecot, tmp_path):
    messages, codes, fakes = mailbox_mix(6000)
    dovecot.append(messages)
    install = Install(tmp_path)
    pk = install.setup_member_and_mailbox(dovecot, "--folder", "INBOX")
    # A lease far shorter than the pass: without renewal the second scan would take the lock over.
    runs = [scan_process(install, pk, lease="0.6"), scan_process(install, pk, lease="0.6")]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    text = "".join(out for out, _ in outputs)
    assert "took this mailbox over" not in text, text
    assert sum(int(n) for n in re.findall(r"INBOX: examined (\d+)", text)) == 6000, text
    assert install.query("SELECT COUNT(*) FROM scanner_finding") == [(codes + fakes,)]


def test_a_killed_scan_frees_its_mailbox_within_its_lease(dovecot, tmp_path):
    messages, _, _ = mailbox_mix(6000)
    dovecot.append(messages)
    install = Install(tmp_path)
    pk = install.setup_member_and_mailbox(dovecot, "--folder", "INBOX")
    run = scan_process(install, pk, lease="3")
    install.wait_for("SELECT 1 FROM scanner_mailbox WHERE id = ? AND lock_token != ''", pk)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=10)
    killed_at = time.monotonic()
    assert install.query("SELECT lock_token != '' FROM scanner_mailbox WHERE id = ?", pk) == [(1,)]
    # The next scan waits up to 5 s for the lock; the dead scan's lease lapses within 3 s.
    after = scan_process(install, pk)
    out, err = after.communicate(timeout=300)
    assert after.returncode == 0, err
    assert "examined" in out and time.monotonic() - killed_at < 60
    assert install.query("SELECT lock_token FROM scanner_mailbox WHERE id = ?", pk) == [("",)]
