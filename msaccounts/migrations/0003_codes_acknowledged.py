"""'Never enter or read out a code you did not ask for' was a step on every account (no_codes); it is
now said once per person. A person who marked it done on any account has said it: the earliest such
mark becomes their acknowledgement. The marks themselves stay, history is never rewritten."""

from django.db import migrations

TITLE = "Never enter or read out a code you did not ask for"


def acknowledgements_from_marks(apps, schema_editor):
    StepMark = apps.get_model("msaccounts", "StepMark")
    Member = apps.get_model("accounts", "Member")
    AuditEvent = apps.get_model("incidents", "AuditEvent")
    earliest = {}
    done = StepMark.objects.filter(step="no_codes", state="done").order_by("at", "id")
    for member_id, address, at in done.values_list("account__member_id", "account__address", "at").iterator():
        earliest.setdefault(member_id, (at, address))
    for member in Member.objects.filter(pk__in=earliest, codes_acknowledged_at__isnull=True):
        at, address = earliest[member.pk]
        Member.objects.filter(pk=member.pk).update(codes_acknowledged_at=at)
        AuditEvent.objects.create(
            household_id=member.household_id,
            actor=None,
            actor_name="",
            action="codes.acknowledged",
            summary=f"{member.display_name}: “{TITLE}” acknowledged (counted from its checklist mark on {address}, "
            f"{at:%d %b %Y})",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("msaccounts", "0002_account_kind"),
        ("accounts", "0004_member_codes_acknowledged_at"),
        ("incidents", "0004_audit_summary_whole"),
    ]

    operations = [migrations.RunPython(acknowledgements_from_marks, migrations.RunPython.noop)]
