"""Households from the command line: an office hosting a few teams gives each team its own."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Household, Invitation, Member


class Command(BaseCommand):
    help = "List households, or add one with an invitation link for its owner."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Each household with its members by role.")
        add = sub.add_parser("add", help="A new household; prints the owner's invitation link.")
        add.add_argument("name")
        add.add_argument("--owner-email", required=True, help="Who gets the owner's invitation.")
        add.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="How members reach OTP Dash (default: http://127.0.0.1:8000).",
        )

    def handle(self, *args, action, **options):
        if action == "list":
            for household in Household.objects.order_by("pk"):
                people = Member.objects.filter(household=household).order_by("role", "display_name")
                roles = ", ".join(f"{m.display_name} ({m.role})" for m in people) or _("nobody yet")
                self.stdout.write(f"{household.name}: {roles}")
            return
        name = options["name"].strip()
        if not name or len(name) > 100:
            raise CommandError(_("Give the household a name of 1 to 100 characters."))
        email = options["owner_email"].strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(_("%(email)r is not an email address.") % {"email": email}) from None
        with transaction.atomic():
            household = Household.objects.create(name=name)
            invitation = Invitation.objects.create(household=household, email=email, role=Member.Role.OWNER)
        link = f"{options['base_url'].rstrip('/')}/join/{invitation.token()}/"
        created = _(
            "Created %(name)s. Send this link to %(email)s; it makes them the owner and works once, "
            "until %(until)s UTC:"
        )
        until = f"{invitation.expires_at:%Y-%m-%d %H:%M}"
        self.stdout.write(created % {"name": name, "email": email, "until": until} + f"\n{link}")
