import shutil
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from mailboxes.commands import mailbox_by_id
from mailboxes.models import Mailbox, ScanProgress
from mailboxes.progress import progress_words, seconds_left
from scanner.scanning import Progress, scan_mailbox

BAR_WIDTH = 20


class FolderProgress:
    """A folder's first read as it goes, after storing it for the mailbox page: a bar redrawn in place on a
    terminal, else a plain line per batch (a log or a pipe keeps each line; carriage returns would garble it)."""

    def __init__(self, stdout, prefix: str, store: Progress):
        self.out, self.prefix, self.store = stdout, prefix, store
        self.tty = stdout.isatty()
        self.started = time.monotonic()
        self.open_line = False  # a bar drawn on a line not yet ended

    def __call__(self, folder: str, examined: int, total: int) -> None:
        self.store(folder, examined, total)
        if examined == 0:
            self.started = time.monotonic()
        if total == 0:
            return  # an empty folder: its report line says so
        percent = examined * 100 // total
        if not self.tty:
            self.out.write(f"{self.prefix} / {folder}: {examined} of {total} ({percent}%)")
            self.out.flush()
            return
        left = seconds_left(examined, total, time.monotonic() - self.started)
        bar = "#" * (percent * BAR_WIDTH // 100)
        line = f"{self.prefix} / {folder} [{bar:.<{BAR_WIDTH}}] {percent}% {progress_words(examined, total, left)}"
        # Cut to the terminal's width: a wrapped line cannot be redrawn in place.
        line = line[: shutil.get_terminal_size().columns - 1]
        self.open_line = examined < total
        self.out.write(f"\r{line}\x1b[K", ending="" if self.open_line else "\n")
        self.out.flush()

    def finish(self) -> None:
        """End a bar left open by a scan that stopped midway, so the report starts on its own line."""
        if self.open_line:
            self.out.write("")
            self.open_line = False


class Command(BaseCommand):
    help = "Scan mailboxes once, now, printing a first read's progress and per folder what was examined and found."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--mailbox", metavar="ID")
        which.add_argument("--all", action="store_true", help="every enabled mailbox that is not paused")

    def handle(self, *args, mailbox, all, **options):
        mailboxes = list(Mailbox.objects.watchable().order_by("pk")) if all else [mailbox_by_id(mailbox)]
        if mailbox and mailboxes[0].state == Mailbox.State.PAUSED:
            raise CommandError(f"Mailbox {mailbox} is paused: {mailboxes[0].last_error} (`mailbox resume {mailbox}`)")
        failed = False
        for box in mailboxes:
            if box.is_scanning:
                self.stdout.write(f"{box.pk} {box.label}: another scan is running; waiting up to 5 s")
                self.stdout.flush()
            shown = FolderProgress(self.stdout, f"{box.pk} {box.label}", ScanProgress.recorder(box.pk))
            try:
                report = scan_mailbox(box, wait_for_lock=5, progress=shown)
            finally:
                shown.finish()
            if report.busy:
                self.stdout.write(f"{box.pk} {box.label}: another scan is running; skipped")
                continue
            if report.waited > 0.1:
                self.stdout.write(f"{box.pk} {box.label}: waited {report.waited:.1f} s for another scan to finish")
            for folder in report.folders:
                line = (
                    f"{box.pk} {box.label} / {folder.folder}: examined {folder.examined}, "
                    f"read {folder.candidates}, new findings {folder.found}"
                )
                self.stdout.write(line + (f"; {folder.error}" if folder.error else ""))
                failed |= bool(folder.error)
            if report.error:
                self.stderr.write(f"{box.pk} {box.label}: {report.error}")
                failed = True
        if failed:
            sys.exit(1)
