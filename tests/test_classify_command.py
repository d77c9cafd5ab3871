"""`manage.py classify` as a user runs it: a real process, its stdout, stderr and exit status."""

import json
import subprocess
import sys
from pathlib import Path

from tests.corpus_labels import CORPUS, load_cases

ROOT = Path(__file__).resolve().parents[1]
KEYS = [
    "source",
    "category",
    "provider",
    "template",
    "language",
    "codes",
    "account_hint",
    "sent_at",
    "sender_auth",
    "forwarded",
    "signin",
    "reasons",
]


def classify(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "classify", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def lines(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_folder_is_read_recursively_in_order_with_masked_codes():
    result = classify(str(CORPUS))
    assert result.returncode == 0, result.stderr
    out = lines(result)
    assert [item["source"] for item in out] == [str(p) for p in sorted(CORPUS.rglob("*.eml"))]
    by_file = {c.file: c for c in load_cases()}
    for item in out:
        assert list(item)[: len(KEYS)] == KEYS and set(item) - set(KEYS) <= {"error"}
        case = by_file[str(Path(item["source"]).relative_to(CORPUS))]
        assert item["category"] == case.category
        assert item["codes"] == ["****" + code[-2:] for code in case.codes]


def test_show_codes_prints_full_codes_with_leading_zeros():
    out = lines(classify("--show-codes", str(CORPUS / "ms_otp/en_personal_security_code_sam.eml")))
    assert out[0]["codes"] == ["054319"]
    assert out[0]["sent_at"] == "2026-06-21T03:12:01Z"


def test_mbox_members_are_numbered(tmp_path):
    first = (CORPUS / "ms_otp/de_single_use_peter.eml").read_bytes().replace(b"\r\n", b"\n")
    second = (CORPUS / "other_otp/github_device_verification.eml").read_bytes().replace(b"\r\n", b"\n")
    second = second.replace(b"Thanks,", b"From the team:\nThanks,")  # a body line mbox must quote
    mbox = tmp_path / "Takeout.mbox"
    mbox.write_bytes(
        b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n"
        + first
        + b"\n"
        + b"From MAILER-DAEMON Thu Jan  1 00:00:01 2026\n"
        + second.replace(b"\nFrom the", b"\n>From the")
    )
    out = lines(classify("--show-codes", str(mbox)))
    assert [item["source"] for item in out] == [f"{mbox}#1", f"{mbox}#2"]
    assert [item["codes"] for item in out] == [["008870"], ["815624"]]
    assert [item["category"] for item in out] == ["ms_code", "other_code"]


def test_unreadable_path_is_named_and_the_rest_still_processed(tmp_path):
    missing = tmp_path / "gone.eml"
    broken = tmp_path / "link.eml"
    broken.symlink_to(tmp_path / "nowhere")
    good = CORPUS / "ms_otp/fr_single_use_claire.eml"
    result = classify(str(missing), str(good), str(broken))
    assert result.returncode == 2
    assert [item["source"] for item in lines(result)] == [str(good)]
    assert str(missing) in result.stderr and str(broken) in result.stderr
    assert "Traceback" not in result.stderr


def test_non_mail_bytes_still_give_one_line(tmp_path):
    junk = tmp_path / "junk.eml"
    junk.write_bytes(bytes(range(256)) * 10)
    out = lines(classify(str(junk)))
    assert out[0]["category"] == "none"


def test_maildir_messages_have_no_suffix_and_are_still_read(tmp_path):
    cur = tmp_path / "Maildir" / "cur"
    cur.mkdir(parents=True)
    (tmp_path / "Maildir" / "new").mkdir()
    (cur / "1767225600.M1P2.host:2,S").write_bytes((CORPUS / "ms_otp/zh_single_use_wei.eml").read_bytes())
    out = lines(classify("--show-codes", str(tmp_path / "Maildir")))
    assert [(item["category"], item["codes"]) for item in out] == [("ms_code", ["267249"])]


def test_pipes_and_devices_are_skipped_with_a_message_never_read(tmp_path):
    import os

    fifo = tmp_path / "waiting.eml"
    os.mkfifo(fifo)
    folder = tmp_path / "mail"
    folder.mkdir()
    os.mkfifo(folder / "pipe.eml")
    (folder / "zero.eml").symlink_to("/dev/zero")
    sample = CORPUS / "ms_otp/en_personal_security_code_sam.eml"
    (folder / "real.eml").write_bytes(sample.read_bytes())
    result = subprocess.run(
        [sys.executable, "manage.py", "classify", str(fifo), "/dev/zero", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert [Path(item["source"]).name for item in lines(result)] == ["real.eml"]
    for name in (str(fifo), "/dev/zero", "pipe.eml", "zero.eml"):
        assert name in result.stderr and "not a regular file" in result.stderr, name


def test_a_huge_message_is_read_only_up_to_the_cap(tmp_path, monkeypatch):
    from scanner import mailfiles

    monkeypatch.setattr(mailfiles, "MAX_MESSAGE_BYTES", 4096)
    big = tmp_path / "big.eml"
    big.write_bytes(b"Subject: big\r\n\r\n" + b"x" * 10_000)
    box = tmp_path / "one.mbox"
    box.write_bytes(b"From a\nSubject: one\n\n" + b"y" * 10_000 + b"\n\nFrom b\nSubject: two\n\nshort\n")
    items = list(mailfiles.iter_messages([str(big), str(box)]))
    read = [item for item in items if isinstance(item, tuple)]
    notes = [item for item in items if isinstance(item, mailfiles.UnreadablePath)]
    assert [len(raw) for _, raw in read][0] == 4096
    assert [source for source, _ in read] == [str(big), f"{box}#1", f"{box}#2"]
    assert read[2][1].endswith(b"short\n") and len(read[1][1]) <= 4096
    assert [note.source for note in notes] == [str(big), f"{box}#1"] and "only the first 4 KiB" in notes[0].reason


def test_a_file_without_line_breaks_is_read_in_pieces(tmp_path, monkeypatch):
    from scanner import mailfiles

    monkeypatch.setattr(mailfiles, "MAX_MESSAGE_BYTES", 100_000)
    box = tmp_path / "noline"
    box.write_bytes(b"From x\n" + b"z" * 1_000_000)
    (_, raw), note = list(mailfiles.iter_messages([str(box)]))
    assert len(raw) <= 100_000 and "only the first" in note.reason
