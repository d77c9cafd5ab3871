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


def test_two_scans_of_one_mailbox_at_once_never_overlap_or_duplicate(dovecot, tmp_path):
    messages, codes, fakes = mailbox_mix(6000)
    dovecot.append(messages)
    install = Install(tmp_path)
    pk = install.setup_member_and_mailbox(dovecot, "--folder", "INBOX")

    def scan():
        return subprocess.Popen([sys.executable, "manage.py", "scan", "--mailbox", str(pk)], cwd=ROOT,
                                env=install.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    first = scan()
    # The second starts while the first holds the lock, whatever the start-up times of the two.
    install.wait_for("SELECT 1 FROM scanner_mailbox WHERE id = ? AND locked_until IS NOT NULL", pk, seconds=60)
    second = scan()
    outputs = [run.communicate(timeout=300) for run in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    text = "".join(out for out, _ in outputs)
    examined = [int(n) for n in re.findall(r"INBOX: examined (\d+)", text)]
    # Exactly one of the two read the folder; the other waited for it (then found nothing new) or gave up.
    assert sum(examined) == 6000, text
    assert ("waited" in outputs[1][0] and examined == [6000, 0]) or "another scan is running" in outputs[1][0], text
    assert install.query("SELECT COUNT(*) FROM scanner_finding") == [(codes + fakes,)]
    assert install.query("SELECT COUNT(*) FROM scanner_sighting") == [(codes + fakes,)]
