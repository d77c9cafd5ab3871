import json

from django.core.management.base import BaseCommand

from mailboxes.commands import user_named
from scanner.models import Finding


class Command(BaseCommand):
    help = "Print stored findings as JSON lines: the keys of `classify` (codes masked) and where each was seen."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", required=True, help="JSON lines (the only format)")
        parser.add_argument("--owner", help="only this member's findings")

    def handle(self, *args, owner=None, **options):
        findings = Finding.objects.select_related("owner").prefetch_related("sightings").order_by("pk")
        if owner:
            findings = findings.filter(owner=user_named(owner))
        for finding in findings.iterator(chunk_size=500):
            seen = list(finding.sightings.all())
            first = seen[0] if seen else None
            line = {
                **finding.classify_dict(),
                "owner": finding.owner.username,
                "mailbox": first.mailbox_id if first else None,
                "folder": first.folder if first else None,
                "uid": first.uid if first and first.mailbox_id else None,
                "message_id": finding.message_id or None,
                "subject": finding.subject,
                "seen": len(seen),
            }
            self.stdout.write(json.dumps(line, ensure_ascii=False))
