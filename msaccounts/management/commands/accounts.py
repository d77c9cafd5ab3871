"""manage.py accounts --json [--owner USERNAME]: every Microsoft account, one JSON line each."""

import json
import zoneinfo

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.models import Incident
from msaccounts import checklist
from msaccounts.models import Account
from msaccounts.overview import overview
from scanner.models import Finding

CODES = Q(links__finding__category=Finding.Category.MS_CODE)


def _iso(moment):
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _evidence(view, key: str) -> dict:
    """What the mail says about one step: confirmed, contradicted, notice (done by Microsoft's notice) or
    none, with its source: the mail (finding and Message-ID) or the quiet since the mark."""
    proof, mark = view.proofs.get(key), view.current.get(key)
    if proof is None:
        return {"evidence": "none", "source": None}
    if proof.kind == "confirmed":
        return {"evidence": "confirmed", "why": proof.words, "source": {"quiet_since": _iso(mark.at)}}
    finding = mark.finding
    source = {"finding": str(finding.code), "message_id": finding.message_id or None,
              "arrived": _iso(finding.arrived_at)} if finding else None  # fmt: skip
    return {"evidence": proof.kind, "why": proof.words, "source": source}


class Command(BaseCommand):
    help = gettext_lazy("Print each member's Microsoft accounts: state, waves, codes and checklist.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", help=gettext_lazy("One JSON object per line (the only format).")
        )
        parser.add_argument("--owner", metavar="USERNAME", help=gettext_lazy("Only this member's accounts."))

    def handle(self, *args, **options):
        if not options["json"]:
            raise CommandError(_("Say --json: the output is one JSON object per account, per line."))
        rows = Account.objects.select_related("member__user").order_by("member__household_id", "member_id", "address")
        if options["owner"]:
            user = get_user_model().objects.filter(username=options["owner"]).first()
            if user is None:
                raise CommandError(_("No user is called %(name)s.") % {"name": repr(options["owner"])})
            rows = rows.filter(member__user=user)
        accounts = list(rows.annotate(codes_total=Count("links", filter=CODES)))
        waves = dict(
            Incident.objects.filter(account__in=accounts, kind=Incident.Kind.ACCOUNT)
            .values("account_id")
            .annotate(n=Count("pk"))
            .values_list("account_id", "n")
        )
        order = {account.pk: n for n, account in enumerate(accounts)}
        for view in sorted(overview(accounts, zoneinfo.ZoneInfo("UTC")), key=lambda v: order[v.account.pk]):
            account = view.account
            line = {
                "member": account.member.user.get_username(),
                "address": account.address,
                "resolved": account.resolved,
                "state": view.state_text,
                "waves": waves.get(account.pk, 0),
                "codes_total": account.codes_total,
                "first_seen": _iso(account.first_seen_at),
                "last_seen": _iso(account.last_seen_at),
                "kind": account.kind,
                "checklist": {step.key: checklist.state_of(view.current[step.key]) for step in view.steps},
                "evidence": {step.key: _evidence(view, step.key) for step in view.steps},
                "open_incident": str(view.open_incident.code) if view.open_incident else None,
            }
            self.stdout.write(json.dumps(line, ensure_ascii=False))
