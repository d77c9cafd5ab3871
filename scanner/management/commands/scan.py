import sys

from django.core.management.base import BaseCommand, CommandError

from mailboxes.commands import mailbox_by_id
from mailboxes.models import Mailbox
from scanner.scanning import scan_mailbox


class Command(BaseCommand):
    help = "Scan mailboxes once, now, printing per folder what was examined and found."

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
            report = scan_mailbox(box, wait_for_lock=5)
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
