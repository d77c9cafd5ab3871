"""The mailbox models come here from scanner with their tables (scanner_mailbox, scanner_oauthflow,
scanner_connectioncheck): only Django's idea of where they live changes, no row moves."""

import uuid

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("scanner", "0009_mailbox_plural"),  # the tables exist, in their last shape under scanner
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Mailbox",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ("label", models.CharField(max_length=100)),
                        ("host", models.CharField(max_length=253)),
                        (
                            "port",
                            models.PositiveIntegerField(
                                default=993,
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(65535),
                                ],
                            ),
                        ),
                        (
                            "security",
                            models.CharField(
                                choices=[
                                    ("ssl", "SSL/TLS (usually port 993)"),
                                    ("starttls", "STARTTLS (usually port 143)"),
                                    ("plain", "No encryption (only to this machine)"),
                                ],
                                default="ssl",
                                max_length=10,
                            ),
                        ),
                        ("username", models.CharField(max_length=254)),
                        (
                            "auth",
                            models.CharField(
                                choices=[
                                    ("password", "password"),
                                    ("microsoft", "Microsoft sign-in (OAuth2)"),
                                    ("google", "Google sign-in (OAuth2)"),
                                ],
                                default="password",
                                max_length=10,
                            ),
                        ),
                        ("secret_sealed", models.TextField(editable=False)),
                        (
                            "ca_certificate",
                            models.TextField(
                                blank=True,
                                help_text="A CA certificate (PEM) to trust for this server, for a self-signed or private certificate.",
                            ),
                        ),
                        (
                            "folders",
                            models.JSONField(
                                blank=True, default=list, help_text="Empty: INBOX and the server's Junk folder."
                            ),
                        ),
                        ("discovered_folders", models.JSONField(blank=True, default=list, editable=False)),
                        ("enabled", models.BooleanField(default=True)),
                        (
                            "poll_minutes",
                            models.PositiveIntegerField(
                                default=10,
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(1440),
                                ],
                            ),
                        ),
                        (
                            "backfill_days",
                            models.PositiveIntegerField(
                                default=90,
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(3650),
                                ],
                            ),
                        ),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("new", "not scanned yet"),
                                    ("ok", "ok"),
                                    ("error", "error"),
                                    ("auth_failed", "sign-in failed"),
                                    ("paused", "paused"),
                                    ("reconnect", "reconnect needed"),
                                ],
                                default="new",
                                max_length=12,
                            ),
                        ),
                        ("last_success_at", models.DateTimeField(blank=True, null=True)),
                        ("last_error", models.TextField(blank=True)),
                        ("last_error_at", models.DateTimeField(blank=True, null=True)),
                        ("auth_failures", models.PositiveIntegerField(default=0)),
                        ("next_scan_at", models.DateTimeField(blank=True, db_index=True, null=True)),
                        ("examined_total", models.PositiveBigIntegerField(default=0)),
                        ("lock_token", models.CharField(blank=True, editable=False, max_length=32)),
                        ("locked_until", models.DateTimeField(blank=True, editable=False, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="mailboxes",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "mailboxes",
                        "db_table": "scanner_mailbox",
                        "ordering": ["owner_id", "label", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ConnectionCheck",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ("host", models.CharField(max_length=253)),
                        ("port", models.PositiveIntegerField()),
                        (
                            "security",
                            models.CharField(
                                choices=[
                                    ("ssl", "SSL/TLS (usually port 993)"),
                                    ("starttls", "STARTTLS (usually port 143)"),
                                    ("plain", "No encryption (only to this machine)"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("username", models.CharField(max_length=254)),
                        ("ca_certificate", models.TextField(blank=True)),
                        ("folders", models.JSONField(blank=True, default=list)),
                        ("secret_sealed", models.TextField(blank=True, editable=False)),
                        (
                            "state",
                            models.CharField(
                                choices=[("queued", "waiting"), ("done", "done")], default="queued", max_length=8
                            ),
                        ),
                        ("result", models.JSONField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "mailbox",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="mailboxes.mailbox",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "scanner_connectioncheck",
                    },
                ),
                migrations.CreateModel(
                    name="OAuthFlow",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ("provider", models.CharField(max_length=10)),
                        (
                            "kind",
                            models.CharField(
                                choices=[("device", "device code"), ("code", "authorization code")], max_length=6
                            ),
                        ),
                        ("label", models.CharField(max_length=100)),
                        ("address", models.CharField(max_length=254)),
                        ("state", models.CharField(blank=True, db_index=True, max_length=64)),
                        (
                            "secret_sealed",
                            models.TextField(blank=True, editable=False, help_text="Device code or PKCE verifier."),
                        ),
                        ("user_code", models.CharField(blank=True, max_length=32)),
                        ("verification_uri", models.URLField(blank=True)),
                        ("interval", models.PositiveSmallIntegerField(default=5)),
                        ("expires_at", models.DateTimeField()),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("result", models.CharField(blank=True, max_length=300)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "mailbox",
                            models.ForeignKey(
                                blank=True,
                                help_text="Reconnecting this mailbox.",
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                to="mailboxes.mailbox",
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="oauth_flows",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "scanner_oauthflow",
                    },
                ),
            ],
        ),
    ]
