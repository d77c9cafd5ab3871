from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, create


class Command(BaseCommand):
    help = (
        "Write one archive (mode 0600) with a consistent copy of the database, taken while the app runs, and "
        "the key files. It never overwrites a file."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive to write, e.g. otpdash-2026-12-02.tar.gz")
        parser.add_argument(
            "--without-keys",
            action="store_true",
            help="leave the key files out (keep them elsewhere: without them the mailbox passwords are unreadable)",
        )

    def handle(self, *args, path, without_keys, **options):
        try:
            manifest = create(path, with_keys=not without_keys)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Wrote {path}: {', '.join(manifest['files']) or 'no files'}.")
        if manifest["keys_in_environment"] or without_keys:
            self.stdout.write(
                "The encryption keys are not in this archive"
                + (" (they come from OTPDASH_ENCRYPTION_KEYS)" if settings.ENCRYPTION_KEYS else "")
                + ": keep a copy of them with the backup, or it cannot be read."
            )
