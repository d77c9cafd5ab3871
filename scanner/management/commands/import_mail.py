import sys

from django.core.management.base import BaseCommand

from detect import detect
from mailboxes.commands import user_named
from scanner.mailfiles import UnreadablePath, readable_messages
from scanner.store import message_key, record_import, worth_storing


class Command(BaseCommand):
    help = (
        "Run .eml files, mbox files (e.g. a Google Takeout export) and Maildir folders through the "
        "detector and store what it finds for a member, as a scan would."
    )

    def add_arguments(self, parser):
        parser.add_argument("--owner", required=True, help="username of the member the mail belongs to")
        parser.add_argument("paths", nargs="+", metavar="PATH")

    def handle(self, *args, owner, paths, **options):
        user = user_named(owner)
        read = new = known = 0
        unreadable: list[UnreadablePath] = []

        def report(item: UnreadablePath) -> None:
            self.stderr.write(f"import_mail: cannot read {item.source}: {item.reason}")
            unreadable.append(item)

        for source, raw in readable_messages(paths, report):
            read += 1
            detected = detect(raw)
            if not worth_storing(detected):
                continue
            if record_import(user.pk, f"import:{source}", detected, message_key(detected, raw)):
                new += 1
            else:
                known += 1
        self.stdout.write(f"read {read} messages: {new} new findings, {known} already known")
        if unreadable:
            sys.exit(2)
