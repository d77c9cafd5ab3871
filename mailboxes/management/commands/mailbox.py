import os
import stat
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mailboxes.certificates import MAX_PEM_BYTES
from mailboxes.checks import check_connection
from mailboxes.commands import mailbox_by_id, user_named
from mailboxes.connection import account_for, policy
from mailboxes.models import Mailbox
from mailboxes.oauth import flows
from otpdash.secretbox import SecretUnreadable
from otpdash.times import zoned

STAMP = "Y-m-d H:i"


def _read_ca_file(path: str) -> str:
    """The PEM text of a CA file given on the command line (read once, here, by the admin's own command)."""
    if not path:
        return ""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise CommandError(_("--ca-file %(path)s is not a regular file.") % {"path": path})
        if info.st_size > MAX_PEM_BYTES:
            too_large = {"path": path, "size": MAX_PEM_BYTES // 1024}
            raise CommandError(_("--ca-file %(path)s is larger than %(size)d KiB.") % too_large)
        with open(path, "rb") as handle:
            return handle.read(MAX_PEM_BYTES).decode("utf-8", "replace")
    except OSError as exc:
        unread = {"path": path, "error": exc.strerror}
        raise CommandError(_("--ca-file %(path)s cannot be read: %(error)s.") % unread) from None


class Command(BaseCommand):
    help = "Link, list, test and remove mailboxes."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="link a mailbox; prints its id")
        add.add_argument("--owner", required=True, help="username of the member it belongs to")
        add.add_argument(
            "--oauth",
            choices=["microsoft", "google"],
            help="sign in with the provider (device code, in this terminal) instead of a password; "
            "--username is then the mailbox's address",
        )
        add.add_argument("--host", help="the IMAP server (not with --oauth)")
        add.add_argument("--port", type=int, default=993)
        add.add_argument("--security", choices=[c.value for c in Mailbox.Security], default="ssl")
        add.add_argument("--username", required=True)
        add.add_argument(
            "--password-env",
            metavar="VAR",
            help="name of the environment variable holding the password (never the password itself)",
        )
        add.add_argument(
            "--folder",
            action="append",
            default=[],
            dest="folders",
            help="a folder to watch (repeatable; default: INBOX and the server's Junk folder)",
        )
        add.add_argument("--label", default="")
        add.add_argument(
            "--ca-file",
            default="",
            help="a CA certificate file (PEM) to trust for this server; its certificates are stored, the path is not",
        )
        add.add_argument("--poll-minutes", type=int, default=10)
        add.add_argument("--backfill-days", type=int, default=90)
        sub.add_parser("list", help="mailboxes and their health")
        test = sub.add_parser("test", help="try every step up to opening the folders")
        test.add_argument("id")
        remove = sub.add_parser("remove", help="unlink a mailbox and forget its secret and cursors")
        remove.add_argument("id")
        resume = sub.add_parser("resume", help="resume a paused mailbox")
        resume.add_argument("id")

    def handle(self, *args, action, **options):
        getattr(self, f"do_{action}")(**options)

    def do_add(self, owner, password_env, folders, **o):
        if o["oauth"]:
            return self._add_oauth(owner, o["oauth"], o["username"], o["label"])
        if not o["host"] or not password_env:
            raise CommandError(_("Give --host and --password-env (or --oauth microsoft|google)."))
        secret = os.environ.get(password_env)
        if not secret:
            raise CommandError(_("The environment variable %(name)s is not set or empty.") % {"name": password_env})
        mailbox = Mailbox(
            owner=user_named(owner),
            host=o["host"],
            port=o["port"],
            security=o["security"],
            username=o["username"],
            folders=folders,
            label=o["label"] or f"{o['username']} on {o['host']}",
            ca_certificate=_read_ca_file(o["ca_file"]),
            poll_minutes=o["poll_minutes"],
            backfill_days=o["backfill_days"],
        )
        mailbox.set_secret(secret)
        try:
            mailbox.full_clean()
        except ValidationError as exc:
            raise CommandError(" ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        mailbox.save()
        self.stdout.write(str(mailbox.pk))

    def _add_oauth(self, owner, name, address, label):
        """The device-code flow in the terminal: the admin opens the provider's page on any device."""
        user = user_named(owner)
        try:
            flow = flows.start_device(user, name, label or f"{address} ({name})", address)
        except flows.FlowError as exc:
            raise CommandError(str(exc)) from None
        shown = {"url": flow.verification_uri, "code": flow.user_code, "address": address}
        self.stdout.write(_("Open %(url)s and enter the code %(code)s (sign in as %(address)s).") % shown)
        self.stdout.flush()
        while True:
            time.sleep(flow.interval)
            try:
                if flows.poll_device(flow) == "done":
                    break
            except flows.FlowError as exc:
                if flow.finished_at or "asked again" not in str(exc):
                    raise CommandError(str(exc)) from None
            flow.refresh_from_db()
        flow.refresh_from_db()
        self.stdout.write(str(flow.mailbox_id))

    def do_list(self, **o):
        rows = Mailbox.objects.select_related("owner").with_findings().order_by("pk")
        if not rows:
            self.stdout.write(_("No mailboxes are linked yet."))
            return
        for m in rows:
            last_ok = zoned(m.last_success_at, STAMP) if m.last_success_at else "never"
            self.stdout.write(
                f"{m.pk}\t{m.owner.username}\t{m.label}\t{m.username}@{m.host}:{m.port}/{m.security}\t"
                f"state={m.display_state}\tlast_ok={last_ok}\texamined={m.examined_total}\t"
                f"findings={m.findings}"
            )
            if m.last_error and m.state != Mailbox.State.OK:
                when = zoned(m.last_error_at, STAMP) if m.last_error_at else ""
                self.stdout.write(f"\tlast error {when}: {m.last_error}")

    def do_test(self, id, **o):
        mailbox = mailbox_by_id(id)
        try:
            account = account_for(mailbox)
        except SecretUnreadable as exc:
            raise CommandError(str(exc)) from None
        result = check_connection(account, policy(), mailbox.folders or None)
        for step in result.steps:
            mark = "ok  " if step.ok else "FAIL"
            self.stdout.write(f"{mark} {step.name}" + (f": {step.detail}" if step.detail else ""))
        if not result.ok:
            raise CommandError(str(result.error))

    def do_remove(self, id, **o):
        mailbox = mailbox_by_id(id)
        label = str(mailbox)
        mailbox.delete()
        removed = _("Removed %(mailbox)s, its password and its cursors; its findings stay in the history.")
        self.stdout.write(removed % {"mailbox": label})

    def do_resume(self, id, **o):
        mailbox_by_id(id).resume()
        self.stdout.write(_("Resumed; it is scanned on the next pass."))
