"""manage.py send_digests [--now] [--user USERNAME] [--dry-run]"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Member
from notify.digests import NextDigest, next_digest, rendered, send_digests
from otpdash.times import zoned


class Command(BaseCommand):
    help = gettext_lazy("Send the digests that are due (Monday or daily 08:00 in each person's time zone); each once.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help=gettext_lazy("Send this period's digest now, whatever the hour.")
        )
        parser.add_argument("--user", metavar="USERNAME", help=gettext_lazy("Only this person."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy(
                "Say what would be sent; send and record nothing. With --user, print that person's next digest."
            ),
        )

    def handle(self, *args, **options):
        username = options["user"]
        if username and not get_user_model().objects.filter(username=username, member__isnull=False).exists():
            raise CommandError(_("No member is called %(name)s.") % {"name": repr(username)})
        lines = send_digests(force=options["now"], username=username, dry_run=options["dry_run"])
        for line in lines:
            self.stdout.write(line)
        if not lines:
            self.stdout.write(_("Nothing due."))
        if options["dry_run"] and username:
            member = Member.objects.select_related("user", "household").get(user__username=username)
            self.show(username, next_digest(member, force=options["now"]))

    def show(self, username: str, upcoming: NextDigest) -> None:
        """The mail itself, rendered by the code that sends it (notify.digests.rendered)."""
        if upcoming.period is None:
            self.stdout.write(
                _("%(name)s gets no digests: they are turned off on the Notifications page.") % {"name": username}
            )
            return
        member, p = upcoming.digest.member, upcoming.period
        when = _("at the next run") if upcoming.due_now else zoned(p.due, zone=member.zone)
        self.stdout.write("")
        if upcoming.done:
            done = upcoming.done
            self.stdout.write(
                _("This period's digest (%(period)s) was already handled: %(outcome)s.")
                % {"period": done.period, "outcome": done.outcome}
            )
        self.stdout.write(
            _("The next digest for %(name)s (%(period)s), due %(when)s, as things stand now:")
            % {"name": username, "period": p.key, "when": when}
        )
        if not upcoming.will_send:
            self.stdout.write(
                _("It would not be sent: nothing to report, and %(name)s asked for no empty digests.")
                % {"name": username}
            )
        subject, text, _html, _headers = rendered(upcoming.digest, upcoming.pref)
        to = member.user.email or _("nobody (no address on the account)")
        self.stdout.write(_("To: %(to)s") % {"to": to})
        self.stdout.write(_("Subject: %(subject)s") % {"subject": subject})
        self.stdout.write("")
        self.stdout.write(text.rstrip())
