"""Mailbox, OAuthFlow and ConnectionCheck now belong to the mailboxes app (mailboxes 0001). Their
tables stay, and the foreign keys already point at scanner_mailbox, so the database is untouched;
only the content types follow, so the admin's history and any permission stay attached."""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ("mailbox", "oauthflow", "connectioncheck")


def _relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        current = ContentType.objects.filter(app_label=old, model=model).first()
        if current is None:
            continue  # a fresh install: content types are made after migrate, under the new name
        # One made under the new name by an earlier partial migrate holds nothing yet: the old one wins.
        ContentType.objects.filter(app_label=new, model=model).delete()
        current.app_label = new
        current.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    _relabel(apps, "scanner", "mailboxes")


def backwards(apps, schema_editor):
    _relabel(apps, "mailboxes", "scanner")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("mailboxes", "0001_initial"),
        ("scanner", "0009_mailbox_plural"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name="mailbox",
                    name="owner",
                ),
                migrations.AlterField(
                    model_name="foldercursor",
                    name="mailbox",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="cursors", to="mailboxes.mailbox"
                    ),
                ),
                migrations.RemoveField(
                    model_name="oauthflow",
                    name="mailbox",
                ),
                migrations.AlterField(
                    model_name="sighting",
                    name="mailbox",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sightings",
                        to="mailboxes.mailbox",
                    ),
                ),
                migrations.AlterField(
                    model_name="watchlease",
                    name="mailbox",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="watch_lease",
                        serialize=False,
                        to="mailboxes.mailbox",
                    ),
                ),
                migrations.RemoveField(
                    model_name="oauthflow",
                    name="owner",
                ),
                migrations.DeleteModel(
                    name="ConnectionCheck",
                ),
                migrations.DeleteModel(
                    name="Mailbox",
                ),
                migrations.DeleteModel(
                    name="OAuthFlow",
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
