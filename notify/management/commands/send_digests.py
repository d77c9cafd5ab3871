"""manage.py send_digests [--now] [--user USERNAME] [--dry-run]"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from notify.digests import send_digests


class Command(BaseCommand):
    help = "Send the digests that are due (Monday or daily 08:00 in each person's time zone); each once."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Send this period's digest now, whatever the hour.")
        parser.add_argument("--user", metavar="USERNAME", help="Only this person.")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be sent; send and record nothing.")

    def handle(self, *args, **options):
        username = options["user"]
        if username and not get_user_model().objects.filter(username=username, member__isnull=False).exists():
            raise CommandError(f"No member is called {username!r}.")
        lines = send_digests(force=options["now"], username=username, dry_run=options["dry_run"])
        for line in lines:
            self.stdout.write(line)
        if not lines:
            self.stdout.write("Nothing due.")
