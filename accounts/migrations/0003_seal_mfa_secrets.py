"""TOTP secrets and recovery-code seeds were stored in clear; seal them with the mailbox key set."""

from django.db import migrations

# A Fernet token starts with its version byte 0x80, base64 "gAAAAA": already sealed.
SEALED_PREFIX = "gAAAAA"


def seal_secrets(apps, schema_editor):
    from otpdash.secretbox import seal

    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=["totp", "recovery_codes"]):
        data = dict(authenticator.data)
        for name in ("secret", "seed"):
            if isinstance(data.get(name), str) and not data[name].startswith(SEALED_PREFIX):
                data[name] = seal(data[name])
        if isinstance(data.get("migrated_codes"), list):
            data["migrated_codes"] = [
                code if code.startswith(SEALED_PREFIX) else seal(code) for code in data["migrated_codes"]
            ]
        if data != authenticator.data:
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_cache_table"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(seal_secrets, migrations.RunPython.noop)]
