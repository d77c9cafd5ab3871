import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    """Existing findings: a code each, and arrived_at from their sender date or when they were found."""
    Finding = apps.get_model("scanner", "Finding")
    for finding in Finding.objects.only("pk", "sent_at", "found_at").iterator():
        Finding.objects.filter(pk=finding.pk).update(code=uuid.uuid4(), arrived_at=finding.sent_at or finding.found_at)


class Migration(migrations.Migration):
    dependencies = [
        ("scanner", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField("finding", "code", models.UUIDField(null=True, editable=False)),
        migrations.AddField("finding", "arrived_at", models.DateTimeField(null=True)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField("finding", "code", models.UUIDField(default=uuid.uuid4, unique=True, editable=False)),
        migrations.AlterField("finding", "arrived_at", models.DateTimeField()),
        migrations.AddField(
            "finding",
            "status",
            models.CharField(
                choices=[("pending", "waiting for you"), ("expected", "that was me"), ("unsolicited", "not me")],
                default="pending",
                max_length=12,
            ),
        ),
        migrations.AddField("finding", "status_reasons", models.JSONField(blank=True, default=list)),
        migrations.AddField(
            "finding",
            "status_by",
            models.ForeignKey(
                blank=True,
                help_text="Who decided; empty when the rules did.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField("finding", "status_at", models.DateTimeField(blank=True, null=True)),
        migrations.AlterModelOptions("finding", {"ordering": ["-arrived_at", "-id"]}),
        migrations.AlterField(
            "finding",
            "category",
            models.CharField(
                choices=[
                    ("ms_code", "Microsoft code"),
                    ("ms_alert", "Microsoft security alert"),
                    ("phishing", "lookalike phishing"),
                    ("other_code", "another provider's code"),
                ],
                db_index=True,
                max_length=12,
            ),
        ),
        migrations.AddIndex(
            "finding", models.Index(fields=["owner", "arrived_at", "category", "status"], name="finding_owner_time")
        ),
        migrations.AddIndex("finding", models.Index(fields=["arrived_at"], name="finding_time")),
    ]
