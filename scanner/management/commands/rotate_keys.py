from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from scanner.models import Mailbox
from scanner.secretbox import SecretUnreadable, reseal


class Command(BaseCommand):
    help = (
        "Re-encrypt every mailbox secret with the first key of OTPDASH_ENCRYPTION_KEYS. Put the new "
        "key first, keep the old ones after it, run this, then the old keys can be removed."
    )

    def handle(self, *args, **options):
        done, unreadable = 0, []
        with transaction.atomic():
            for mailbox in Mailbox.objects.select_for_update().only("pk", "label", "secret_sealed"):
                try:
                    sealed = reseal(mailbox.secret_sealed)
                except SecretUnreadable:
                    unreadable.append(f"{mailbox.pk} ({mailbox.label})")
                    continue
                Mailbox.objects.filter(pk=mailbox.pk).update(secret_sealed=sealed)
                done += 1
        self.stdout.write(f"re-encrypted {done} mailbox secrets with the newest key")
        if unreadable:
            raise CommandError(
                "no configured key opens the secrets of mailboxes " + ", ".join(unreadable)
                + "; put their old key back in OTPDASH_ENCRYPTION_KEYS, or enter their passwords again"
            )
