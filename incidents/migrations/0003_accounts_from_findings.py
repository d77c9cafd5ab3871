"""Today's data in the new shape: each member's Microsoft accounts from the findings, masked hints
of a known address resolved, one incident per account per wave (alert incidents join their
account's wave), and lookalike phishing grouped per address and week."""

import zoneinfo
from datetime import timedelta

from django.db import migrations
from django.db.models import Max, Min

from msaccounts import masks

GAP = timedelta(hours=24)


def _address(finding) -> str:
    hint = masks.normalise(finding.account_hint)
    if masks.is_address(hint) or masks.parse(hint):
        return hint
    recipient = masks.normalise(finding.recipient)
    return recipient if masks.is_address(recipient) else ""


def _accounts(apps, member):
    Account = apps.get_model("msaccounts", "Account")
    AccountFinding = apps.get_model("msaccounts", "AccountFinding")
    Finding = apps.get_model("scanner", "Finding")
    Mailbox = apps.get_model("scanner", "Mailbox")
    findings = Finding.objects.filter(owner_id=member.user_id, category__in=["ms_code", "ms_alert"])
    by_address = {}
    for finding in findings:
        address = _address(finding)
        if address:
            by_address.setdefault(address, []).append(finding)
    known = {masks.normalise(a) for a in member.addresses or []}
    known |= {
        masks.normalise(u) for u in Mailbox.objects.filter(owner_id=member.user_id).values_list("username", flat=True)
    }
    known |= {a for a in by_address if masks.is_address(a)}
    known = {a for a in known if masks.is_address(a)}
    for address, group in by_address.items():
        hints = []
        if masks.parse(address):
            full = masks.resolve(address, known)
            if full:
                hints, address = [address], full
        account, _ = Account.objects.get_or_create(
            member=member, address=address, defaults={"resolved": masks.is_address(address)}
        )
        if hints:
            account.hints = sorted({*account.hints, *hints})
            account.save(update_fields=["hints"])
        AccountFinding.objects.bulk_create(
            [AccountFinding(account=account, finding=f) for f in group], ignore_conflicts=True
        )
    for account in Account.objects.filter(member=member):
        span = Finding.objects.filter(account_link__account=account).aggregate(a=Min("arrived_at"), b=Max("arrived_at"))
        account.first_seen_at, account.last_seen_at = span["a"], span["b"]
        account.save(update_fields=["first_seen_at", "last_seen_at"])


def _fold(apps, incidents, apart=lambda keep, incident: incident.opened_at > keep.last_seen_at + GAP):
    """Open incidents of one key become the earliest of them unless `apart` (by default: a day's
    quiet between them, a new wave)."""
    IncidentFinding = apps.get_model("incidents", "IncidentFinding")
    keep = None
    for incident in sorted(incidents, key=lambda i: (i.opened_at, i.pk)):
        if incident.state == "resolved":
            continue
        if keep is None or apart(keep, incident):
            keep = incident
            continue
        IncidentFinding.objects.bulk_create(
            [
                IncidentFinding(incident=keep, finding_id=f.finding_id)
                for f in IncidentFinding.objects.filter(incident=incident)
            ],
            ignore_conflicts=True,
        )
        incident.events.update(incident=keep)
        keep.last_seen_at = max(keep.last_seen_at, incident.last_seen_at)
        keep.severity = max(keep.severity, incident.severity)
        keep.assignee_id = keep.assignee_id or incident.assignee_id
        keep.save()
        incident.delete()


def forwards(apps, schema_editor):
    Member = apps.get_model("accounts", "Member")
    Incident = apps.get_model("incidents", "Incident")
    AccountFinding = apps.get_model("msaccounts", "AccountFinding")
    for member in Member.objects.all():
        _accounts(apps, member)
    waves = {}
    for incident in Incident.objects.filter(kind__in=["account", "alert"], member__isnull=False):
        first = incident.findings.order_by("arrived_at", "id").first()
        link = AccountFinding.objects.filter(finding=first).first() if first else None
        incident.kind = "account"
        incident.account_id = link.account_id if link else None
        incident.account_hint = ""
        incident.save(update_fields=["kind", "account", "account_hint"])
        waves.setdefault(incident.account_id, []).append(incident)
    for account_id, group in waves.items():
        if account_id is not None:
            _fold(apps, group)
    weeks = {}
    for incident in Incident.objects.filter(kind="phishing").select_related("member"):
        zone = _zone(incident.member.time_zone if incident.member_id else "UTC")
        day = incident.opened_at.astimezone(zone).date()
        incident.period_start = day - timedelta(days=day.weekday())
        incident.save(update_fields=["period_start"])
        weeks.setdefault((incident.member_id, incident.account_hint, incident.period_start), []).append(incident)
    for group in weeks.values():
        _fold(apps, group, apart=lambda keep, incident: False)  # one week, one incident


def _zone(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0002_incident_account_and_week"),
        ("msaccounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
