"""The triage rules: sign-in window, quiet hours, bursts, household campaigns, and incidents they open."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from incidents import triage
from incidents.models import AuditEvent, Incident, Severity, SignInWindow
from scanner.models import Finding
from tests.corpus_labels import CORPUS
from tests.findings import PASSWORD_CHANGED, PHISHING, SECURITY_CODE, SINGLE_USE, UNUSUAL_SIGNIN, arrive
from tests.people import join, never_quiet

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
NIGHT = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)  # quiet hours: a code then is not the member's
LUCIA_SECURITY_CODE = CORPUS / "ms_otp" / "es_security_code_lucia_01.eml"
S = Finding.Status


def test_a_lone_daytime_code_waits_for_the_member(member):
    finding = arrive(member, NOON)
    assert finding.status == S.PENDING and finding.status_reasons == []
    assert not Incident.objects.exists()


def test_a_code_inside_the_sign_in_window_is_expected(member):
    SignInWindow.objects.create(member=member.member, opened_at=NOON, ends_at=NOON + timedelta(minutes=15))
    inside = arrive(member, NOON + timedelta(minutes=14))
    after = arrive(member, NOON + timedelta(minutes=16))
    assert inside.status == S.EXPECTED and "sign-in window opened at 12:00" in inside.status_reasons[0]
    assert after.status == S.PENDING
    assert not Incident.objects.exists()


def test_quiet_hours_are_the_members_own_local_hours(member):
    profile = member.member
    profile.time_zone = "Europe/Berlin"
    profile.save()
    # 22:30 UTC is 23:30 in Berlin (quiet); 06:30 UTC is 07:30 in Berlin (awake).
    night = arrive(member, datetime(2026, 11, 20, 22, 30, tzinfo=timezone.utc))
    morning = arrive(member, datetime(2026, 11, 21, 6, 30, tzinfo=timezone.utc))
    assert night.status == S.UNSOLICITED and night.status_reasons == [
        "arrived at 23:30 CET, in quiet hours (23:00–07:00)"
    ]
    assert morning.status == S.PENDING
    incident = Incident.objects.get()
    assert incident.kind == Incident.Kind.ACCOUNT and incident.member == profile
    assert incident.severity == Severity.MEDIUM and list(incident.findings.all()) == [night]


def test_three_codes_for_one_account_within_30_minutes_are_a_burst(member):
    first = arrive(member, NOON)
    second = arrive(member, NOON + timedelta(minutes=12))
    assert Finding.objects.get(pk=first.pk).status == S.PENDING and second.status == S.PENDING
    third = arrive(member, NOON + timedelta(minutes=29))
    statuses = set(Finding.objects.values_list("status", flat=True))
    assert statuses == {S.UNSOLICITED}
    assert third.status_reasons == ["3 codes for anna.weber@example.com within 30 minutes"]
    incident = Incident.objects.get()
    assert incident.findings.count() == 3 and incident.severity == Severity.HIGH
    assert incident.account.address == "anna.weber@example.com"


def test_three_codes_spread_over_more_than_30_minutes_are_no_burst(member):
    for minutes in (0, 16, 32):
        arrive(member, NOON + timedelta(minutes=minutes))
    assert set(Finding.objects.values_list("status", flat=True)) == {S.PENDING}


def test_codes_the_member_expected_do_not_make_a_burst(member):
    SignInWindow.objects.create(member=member.member, opened_at=NOON, ends_at=NOON + timedelta(minutes=15))
    arrive(member, NOON + timedelta(minutes=1))
    arrive(member, NOON + timedelta(minutes=2))
    late = arrive(member, NOON + timedelta(minutes=20))
    assert late.status == S.PENDING


def test_codes_reaching_two_members_within_an_hour_are_a_campaign(member, other_member):
    alice_code = arrive(member, NOON)
    bob_code = arrive(other_member, NOON + timedelta(minutes=55))
    for finding in (alice_code, bob_code):
        finding.refresh_from_db()
        assert finding.status == S.UNSOLICITED
        assert "codes reached 2 members of the household within 60 minutes" in finding.status_reasons
    campaign = Incident.objects.get(kind=Incident.Kind.CAMPAIGN)
    assert campaign.member is None and set(campaign.findings.all()) == {alice_code, bob_code}
    assert campaign.severity == Severity.HIGH
    # Each member also has an incident of their own.
    assert Incident.objects.filter(kind=Incident.Kind.ACCOUNT).count() == 2


def test_no_campaign_across_households_or_beyond_an_hour(member, other_member):
    from accounts.models import Household

    outsider = join(Household.objects.create(name="Next door"), "carol")
    arrive(member, NOON)
    arrive(outsider, NOON + timedelta(minutes=5))
    arrive(other_member, NOON + timedelta(minutes=61))
    assert set(Finding.objects.values_list("status", flat=True)) == {S.PENDING}


def test_security_codes_rank_above_single_use_codes(member):
    arrive(member, datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc), mail=SECURITY_CODE)
    incident = Incident.objects.get()
    assert incident.severity == Severity.HIGH


def test_an_alert_joins_the_wave_of_its_account(member):
    """The single-use code greets anna.weber@example.com; the alert masks it as an**r@example.com."""
    arrive(member, NIGHT)
    arrive(member, NIGHT + timedelta(minutes=1), mail=UNUSUAL_SIGNIN)
    incident = Incident.objects.get()
    assert incident.kind == Incident.Kind.ACCOUNT and incident.findings.count() == 2
    assert incident.account.address == "anna.weber@example.com" and incident.account.hints == ["an**r@example.com"]
    assert incident.severity == Severity.HIGH


def test_a_password_changed_alert_during_a_wave_raises_that_incident_to_critical(member):
    arrive(member, NIGHT, mail=LUCIA_SECURITY_CODE)
    assert Incident.objects.get().severity == Severity.HIGH
    arrive(member, NIGHT + timedelta(hours=5), mail=PASSWORD_CHANGED)
    incident = Incident.objects.get()
    assert incident.findings.count() == 2 and incident.severity == Severity.CRITICAL
    assert incident.account.address == "lucia.fernandez@example.org"
    assert AuditEvent.objects.filter(incident=incident, summary="Severity raised to critical").exists()


def test_a_day_of_quiet_ends_a_wave(member):
    arrive(member, NIGHT)
    arrive(member, NIGHT + timedelta(hours=23, minutes=59))
    assert Incident.objects.count() == 1
    arrive(member, NIGHT + timedelta(days=2, minutes=1))
    waves = list(Incident.objects.order_by("opened_at"))
    assert len(waves) == 2 and waves[0].account_id == waves[1].account_id
    assert [w.findings.count() for w in waves] == [2, 1]


def test_lookalike_mail_is_grouped_per_address_and_week(member):
    monday = datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc)
    for day in (0, 3, 6):
        arrive(member, monday + timedelta(days=day), mail=PHISHING)
    arrive(member, monday + timedelta(days=7), mail=PHISHING)
    weeks = list(Incident.objects.order_by("opened_at"))
    assert [(w.kind, w.findings.count(), str(w.period_start)) for w in weeks] == [
        ("phishing", 3, "2026-11-16"),
        ("phishing", 1, "2026-11-23"),
    ]
    assert weeks[0].account_hint == "jonas.weber@example.com"
    assert weeks[0].title == "Lookalike phishing: Alice (jonas.weber@example.com), week of 16 Nov 2026"
    assert Finding.objects.filter(status=S.PENDING).count() == 4  # phishing is not a code to triage


def test_a_later_code_joins_the_open_incident_and_a_resolved_one_is_not_reused(member):
    from incidents import workflow

    arrive(member, datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc))
    arrive(member, datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc))
    incident = Incident.objects.get()
    assert incident.findings.count() == 2
    workflow.resolve(incident, member, "Changed the password.")
    arrive(member, datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc))
    assert Incident.objects.count() == 2


def test_running_the_rules_twice_changes_nothing(member, other_member):
    arrive(member, NOON)
    bob = arrive(other_member, NOON + timedelta(minutes=5))
    before = (
        list(Finding.objects.values_list("pk", "status", "status_reasons")),
        Incident.objects.count(),
        AuditEvent.objects.count(),
    )
    triage.on_findings_recorded(None, owner_id=other_member.pk, finding_ids=[bob.pk])
    after = (
        list(Finding.objects.values_list("pk", "status", "status_reasons")),
        Incident.objects.count(),
        AuditEvent.objects.count(),
    )
    assert before == after


def test_a_failing_rule_rolls_the_finding_back_so_the_scan_retries(member, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("rules crashed")

    monkeypatch.setattr(triage, "apply_rules", broken)
    with pytest.raises(RuntimeError):
        arrive(member, NOON)
    assert not Finding.objects.exists()


def test_the_members_answer_overrides_the_rules_and_is_audited(member):
    finding = arrive(member, datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc))
    assert finding.status == S.UNSOLICITED
    triage.answer(member.member, finding, S.EXPECTED, member)
    finding.refresh_from_db()
    assert finding.status == S.EXPECTED and finding.status_by == member
    assert finding.status_reasons == ["Alice said: that was me"]
    incident = Incident.objects.get()
    assert incident.events.filter(action="incident.note", actor=member).exists()
    triage.answer(member.member, finding, S.UNSOLICITED, member)
    assert AuditEvent.objects.filter(action__startswith="triage.", actor=member).count() == 2
    triage.answer(member.member, finding, S.UNSOLICITED, member)  # a double click logs nothing more
    assert AuditEvent.objects.filter(action__startswith="triage.", actor=member).count() == 2


def test_not_me_on_a_pending_code_opens_an_incident(member):
    finding = arrive(member, NOON)
    triage.answer(member.member, finding, S.UNSOLICITED, member)
    incident = Incident.objects.get()
    assert list(incident.findings.all()) == [finding] and incident.member == member.member


def test_a_burst_of_security_codes_is_critical(member):
    for minutes in (0, 5, 10):
        arrive(member, NOON + timedelta(minutes=minutes), mail=SECURITY_CODE)
    incident = Incident.objects.get()
    assert incident.findings.count() == 3 and incident.severity == Severity.CRITICAL
    assert incident.events.filter(action="incident.severity").exists()


def test_a_campaign_of_security_codes_is_critical(member, other_member):
    arrive(member, NOON, mail=SECURITY_CODE)
    arrive(other_member, NOON + timedelta(minutes=20))
    assert Incident.objects.get(kind=Incident.Kind.CAMPAIGN).severity == Severity.CRITICAL


def test_opening_the_window_just_after_a_code_arrived_still_counts_it(member):
    from django.utils import timezone as django_tz

    never_quiet(member)
    member.member.refresh_from_db()
    moment_ago = arrive(member, django_tz.now() - timedelta(seconds=30))
    too_early = arrive(member, django_tz.now() - timedelta(minutes=5))
    assert moment_ago.status == S.PENDING
    triage.open_window(member.member, member)
    moment_ago.refresh_from_db()
    too_early.refresh_from_db()
    assert moment_ago.status == S.EXPECTED and too_early.status == S.PENDING


def _queries_to_triage(owner, when, mail=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        arrive(owner, when) if mail is None else arrive(owner, when, mail)
    return len(captured.captured_queries)


def test_the_work_to_triage_a_code_does_not_grow_with_the_burst_it_joins(member):
    """An enumeration attack sends hundreds of codes an hour to one account: each one must cost the
    same, not one query more for every code before it."""
    never_quiet(member)
    for n in range(5):
        arrive(member, NOON + timedelta(seconds=n))
    early = _queries_to_triage(member, NOON + timedelta(seconds=5))
    for n in range(6, 40):
        arrive(member, NOON + timedelta(seconds=n))
    late = _queries_to_triage(member, NOON + timedelta(seconds=40))
    assert Incident.objects.get().findings.count() == 41
    assert late == early, (early, late)


def test_the_work_to_triage_a_code_does_not_grow_with_the_campaign_it_joins(household):
    people = [join(household, f"person{n}") for n in range(30)]
    for person in people:
        never_quiet(person)
    for n, person in enumerate(people[:5]):
        arrive(person, NOON + timedelta(seconds=n))
    early = _queries_to_triage(people[5], NOON + timedelta(seconds=5))
    for n, person in enumerate(people[6:-1], start=6):
        arrive(person, NOON + timedelta(seconds=n))
    late = _queries_to_triage(people[-1], NOON + timedelta(seconds=30))
    campaign = Incident.objects.get(kind=Incident.Kind.CAMPAIGN)
    assert campaign.findings.count() == 30
    assert late <= early + 2, (early, late)  # the household's member list is read once per code


def unchecked(path=SINGLE_USE) -> bytes:
    """The corpus code mail with its receiver's verdicts renamed away: nobody vouched for it."""
    raw = path.read_bytes()
    raw = raw.replace(b"\nAuthentication-Results: mx.google.com;", b"\nX-Dropped-Results: mx.google.com;")
    return raw.replace(b"\nReceived-SPF:", b"\nX-Dropped-SPF:")


def test_an_unverified_code_counts_once_a_verified_code_of_its_wave_arrives(member):
    early = arrive(member, NIGHT, mail=unchecked())
    assert early.category == Finding.Category.UNVERIFIED and not Incident.objects.exists()

    verified = arrive(member, NIGHT + timedelta(hours=1))

    early.refresh_from_db()
    assert early.category == Finding.Category.MS_CODE and early.status == S.UNSOLICITED
    assert "a code of the same wave, for anna.weber@example.com, was verified" in early.reasons[-1]
    incident = Incident.objects.get()
    assert set(incident.findings.values_list("pk", flat=True)) == {early.pk, verified.pk}


def test_an_unverified_code_after_a_verified_one_of_its_wave_counts_at_once(member):
    arrive(member, NIGHT)
    late = arrive(member, NIGHT + timedelta(hours=2), mail=unchecked())
    assert late.category == Finding.Category.MS_CODE and late.status == S.UNSOLICITED


def test_a_verified_code_of_another_wave_or_account_vouches_for_nothing(member):
    days_before = arrive(member, NIGHT - timedelta(days=3), mail=unchecked())
    other_account = arrive(member, NIGHT, mail=unchecked().replace(b"anna.weber@", b"marc.olsen@"))
    arrive(member, NIGHT + timedelta(hours=1))
    for finding in (days_before, other_account):
        finding.refresh_from_db()
        assert finding.category == Finding.Category.UNVERIFIED
