from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "Unpack a backup into this install's data folder (OTPDASH_DATA_DIR), which must not hold an install yet."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="an archive written by manage.py backup")

    def handle(self, *args, path, **options):
        try:
            manifest = restore(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Restored {', '.join(manifest['files'])} from the backup of {manifest['created_at']}.")
        self.stdout.write("Run manage.py migrate (or start the app) to bring it up to this version.")
