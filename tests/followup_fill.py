"""Run by test_two_clusters with manage.py shell: a wave that needs following up. Its person was alerted
25 hours ago, two codes came since, nobody took it, no step was marked: a reminder to the person and an
escalation to each of the two admins are due."""

from datetime import datetime, timedelta, timezone

from django.contrib.auth import get_user_model

from accounts.models import Household, Member
from incidents.models import Incident, IncidentFinding
from msaccounts.models import Account
from notify.models import Alert
from scanner.models import Finding

now = datetime.now(timezone.utc)
home = Household.objects.create(name="Follow-up test")
people = {}
for name, role in (("p", "member"), ("a0", "owner"), ("a1", "admin")):
    user = get_user_model().objects.create_user(name, email=f"{name}@example.org", password="x" * 12)
    # No quiet hours (start equals end), so the reminder is due whatever the hour the test runs.
    people[name] = Member.objects.create(
        user=user, household=home, display_name=name.upper(), role=role, quiet_start="12:00", quiet_end="12:00"
    )
person = people["p"]
account = Account.objects.create(member=person, address="p@example.com", resolved=True)
incident = Incident.objects.create(
    household=home, kind="account", member=person, account=account, severity=3,
    opened_at=now - timedelta(hours=30), last_seen_at=now - timedelta(hours=1),
)  # fmt: skip
for n, hours in enumerate((29, 2, 1)):
    finding = Finding.objects.create(
        owner=person.user, message_key=f"followup-{n}", category="ms_code", sender_auth="pass",
        arrived_at=now - timedelta(hours=hours), codes_masked=["****12"], account_hint="p@example.com",
        status="unsolicited",
    )  # fmt: skip
    IncidentFinding.objects.create(incident=incident, finding=finding)
Alert.objects.create(
    member=person, incident=incident, event=f"incident:{incident.pk}:opened:3", severity=3,
    due_at=now - timedelta(hours=30), state="sent", sent_at=now - timedelta(hours=25),
)  # fmt: skip
print("filled")
