import json
import sys

from django.core.management.base import BaseCommand

from detect import detect
from scanner.mailfiles import UnreadablePath, readable_messages


class Command(BaseCommand):
    help = (
        "Run the detector on .eml files, mbox files and folders (recursively), printing one JSON "
        "object per message per line. Codes are masked to their last two digits unless --show-codes."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--show-codes", action="store_true", help="print full codes (they are live secrets)")

    def handle(self, *args, paths, show_codes, **options):
        unreadable: list[UnreadablePath] = []

        def report(item: UnreadablePath) -> None:
            self.stderr.write(f"classify: cannot read {item.source}: {item.reason}")
            unreadable.append(item)

        for source, raw in readable_messages(paths, report):
            finding = detect(raw)
            line = {"source": source, **finding.to_dict(show_codes=show_codes)}
            self.stdout.write(json.dumps(line, ensure_ascii=False))
        self.stdout.flush()
        if unreadable:
            sys.exit(2)
