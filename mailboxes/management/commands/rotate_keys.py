from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from mailboxes.models import Mailbox
from otpdash.secretbox import SecretUnreadable, reseal

# The sealed fields of allauth's authenticators (accounts.adapter.HouseholdMFAAdapter seals them).
_SEALED_FIELDS = ("secret", "seed")


class Command(BaseCommand):
    help = (
        "Re-encrypt every mailbox secret and two-step secret with the first key of OTPDASH_ENCRYPTION_KEYS. "
        "Put the new key first, keep the old ones after it, run this, then the old keys can be removed."
    )

    def handle(self, *args, **options):
        unreadable = []
        with transaction.atomic():
            done = _reseal_rows(
                Mailbox.objects.select_for_update().only("pk", "label", "secret_sealed"), ("secret_sealed",),
                lambda mailbox: f"{mailbox.pk} ({mailbox.label})", unreadable,
            )  # fmt: skip
            two_step = self._reseal_authenticators(unreadable)
            brokers = self._reseal_brokers(unreadable)
            channels = self._reseal_channels(unreadable)
        self.stdout.write(f"re-encrypted {done} mailbox secrets and {two_step} two-step secrets with the newest key")
        if brokers:
            self.stdout.write(f"re-encrypted {brokers} MQTT broker passwords (Home Assistant) with the newest key")
        if channels:
            self.stdout.write(
                f"re-encrypted {channels} alert channels (Apprise URLs, webhook secrets) with the newest key"
            )
        if unreadable:
            raise CommandError(
                "no configured key opens the secrets of "
                + ", ".join(unreadable)
                + "; put their old key back in OTPDASH_ENCRYPTION_KEYS, or enter their passwords again"
            )

    def _reseal_authenticators(self, unreadable: list[str]) -> int:
        done = 0
        for authenticator in Authenticator.objects.select_for_update().filter(type__in=["totp", "recovery_codes"]):
            data = dict(authenticator.data)
            try:
                for name in _SEALED_FIELDS:
                    if isinstance(data.get(name), str):
                        data[name] = reseal(data[name])
                if isinstance(data.get("migrated_codes"), list):
                    data["migrated_codes"] = [reseal(code) for code in data["migrated_codes"]]
            except SecretUnreadable:
                unreadable.append(f"the two-step sign-in of user {authenticator.user_id}")
                continue
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
            done += 1
        return done

    def _reseal_brokers(self, unreadable: list[str]) -> int:
        """Home Assistant's MQTT broker passwords (homeassistant.models.Broker), by name: no import of that app."""
        from django.apps import apps

        Broker = apps.get_model("homeassistant", "Broker")
        return _reseal_rows(
            Broker.objects.select_for_update().exclude(password_sealed=""), ("password_sealed",),
            lambda broker: f"the Home Assistant broker {broker.host} of household {broker.household_id}", unreadable,
        )  # fmt: skip

    def _reseal_channels(self, unreadable: list[str]) -> int:
        """Alert channels' Apprise URLs and webhook signing secrets (notify.models.Channel), by name."""
        from django.apps import apps

        Channel = apps.get_model("notify", "Channel")
        return _reseal_rows(
            Channel.objects.select_for_update().only("pk", "label", "member_id", "url_sealed", "secret_sealed"),
            ("url_sealed", "secret_sealed"),
            lambda channel: f"the alert channel {channel.label!r} of member {channel.member_id}", unreadable,
        )  # fmt: skip


def _reseal_rows(rows, fields: tuple[str, ...], describe, unreadable: list[str]) -> int:
    """Each row's non-empty sealed fields under the newest key; a row no key opens is named in
    unreadable and left as it is."""
    done = 0
    for row in rows:
        try:
            sealed = {name: reseal(getattr(row, name)) for name in fields if getattr(row, name)}
        except SecretUnreadable:
            unreadable.append(describe(row))
            continue
        type(row).objects.filter(pk=row.pk).update(**sealed)
        done += 1
    return done
