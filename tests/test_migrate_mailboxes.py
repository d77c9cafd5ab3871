"""An install upgraded from the layout before mailboxes/ (scanner 0009) keeps every mailbox, its
sealed secret, OAuth2 sign-in, connection check, folder cursor, watch lease, finding and sighting,
in the same rows; the admin's content type follows with its id, so history and permissions stay.
Runs on SQLite and, in CI's second pass, on PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from otpdash.secretbox import seal

BEFORE = [("scanner", "0009_mailbox_plural"), ("mailboxes", None)]
AT = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # auth and contenttypes as they are today (no migration here changes them)
    today = [node for node in executor.loader.graph.leaf_nodes() if node[0] in ("auth", "contenttypes")]
    return executor.loader.project_state([t for t in targets if t[1] is not None] + today).apps


@pytest.mark.django_db(transaction=True)
def test_an_upgraded_install_keeps_every_mailbox_row_and_secret():
    old = _migrate(BEFORE)
    with pytest.raises(LookupError):
        old.get_model("mailboxes", "Mailbox")  # really the schema before: the models still in scanner
    User, ContentType = old.get_model("auth", "User"), old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    Mailbox, Finding = old.get_model("scanner", "Mailbox"), old.get_model("scanner", "Finding")
    user = User.objects.create(username="alice")
    mailbox = Mailbox.objects.create(
        owner=user, label="Home", host="imap.example.org", username="alice@example.org",
        secret_sealed=seal("alice-imap-password"), auth="password", state="ok", examined_total=1234,
        folders=["INBOX", "Junk"], last_success_at=AT,
    )  # fmt: skip
    flow = old.get_model("scanner", "OAuthFlow").objects.create(
        owner=user, provider="google", kind="device", label="Work", address="alice@example.org",
        mailbox=mailbox, secret_sealed=seal("device-code"), expires_at=AT + timedelta(minutes=15),
    )  # fmt: skip
    check = old.get_model("scanner", "ConnectionCheck").objects.create(
        owner=user, mailbox=mailbox, host="imap.example.org", port=993, security="ssl",
        username="alice@example.org", secret_sealed=seal("typed-password"),
    )  # fmt: skip
    old.get_model("scanner", "FolderCursor").objects.create(mailbox=mailbox, folder="INBOX", uidvalidity=7, last_uid=99)
    watcher = old.get_model("scanner", "Watcher").objects.create(key=5, name="host:1", capacity=10, seen_at=AT)
    old.get_model("scanner", "WatchLease").objects.create(mailbox=mailbox, watcher=watcher, expires_at=AT)
    finding = Finding.objects.create(
        owner=user, message_key="<m1@x>", category="ms_code", codes_masked=["****12"], sender_auth="pass",
        arrived_at=AT,
    )  # fmt: skip
    old.get_model("scanner", "Sighting").objects.create(finding=finding, mailbox=mailbox, folder="INBOX",
                                                        uidvalidity=7, uid=42)  # fmt: skip
    kind, _ = ContentType.objects.get_or_create(app_label="scanner", model="mailbox")
    permission, _ = Permission.objects.get_or_create(content_type=kind, codename="view_mailbox",
                                                     defaults={"name": "Can view mailbox"})  # fmt: skip
    user.user_permissions.add(permission)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from django.contrib.contenttypes.models import ContentType as CurrentContentType

    from mailboxes.models import ConnectionCheck, Mailbox, OAuthFlow
    from scanner.models import Finding, FolderCursor, Sighting, WatchLease

    CurrentContentType.objects.clear_cache()
    moved = Mailbox.objects.get()
    assert (moved.pk, moved.code, moved.label, moved.examined_total) == (
        mailbox.pk, mailbox.code, "Home", 1234,
    )  # fmt: skip
    assert moved.get_secret() == "alice-imap-password"
    assert moved.folders == ["INBOX", "Junk"] and moved.last_success_at == AT
    assert OAuthFlow.objects.get(pk=flow.pk).mailbox == moved
    assert ConnectionCheck.objects.get(pk=check.pk).secret() == "typed-password"
    assert FolderCursor.objects.get().mailbox == moved and WatchLease.objects.get().mailbox == moved
    sighting = Sighting.objects.get()
    assert (sighting.mailbox, sighting.finding, sighting.uid) == (moved, Finding.objects.get(), 42)
    assert list(moved.sightings.all()) == [sighting] and moved.cursors.count() == 1
    relabelled = CurrentContentType.objects.get_for_model(Mailbox)
    assert (relabelled.pk, relabelled.app_label) == (kind.pk, "mailboxes")
    assert not CurrentContentType.objects.filter(app_label="scanner", model="mailbox").exists()
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="alice").has_perm("mailboxes.view_mailbox")
    # Removing a mailbox still takes what hangs off it, through the constraints the tables had.
    moved.delete()
    assert not (FolderCursor.objects.exists() or Sighting.objects.exists() or OAuthFlow.objects.exists())
