"""Was each Microsoft code the member's own? The rules, the one-click answers, and grouping into incidents.

Every function here is safe to run twice on the same finding: statuses change only from what
they were, and a finding joins an incident once (unique constraint).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Member
from msaccounts import checklist, evidence, linking
from msaccounts.models import WAVE_GAP, AccountFinding
from otpdash.events import household_changed
from otpdash.times import zoned
from scanner.models import CHANGE_NOTICES, Finding

from . import audit
from .models import WINDOW, Incident, IncidentFinding, Severity, SignInWindow
from .signals import code_awaits_answer, incident_changed

BURST_COUNT = 3
BURST_SPAN = timedelta(minutes=30)
CAMPAIGN_MEMBERS = 2
CAMPAIGN_SPAN = timedelta(minutes=60)
# An unsolicited code within a day of an open incident's last sighting joins that incident: a day's
# quiet ends a wave.
GROUP_GAP = WAVE_GAP
# Codes that can mean the attacker already has the password (facts: security code, reset).
HIGH_RISK_CODES = {"msa_security_code", "msa_security_code_personal", "msa_password_reset"}
# Alerts about a change to the account: someone may already be inside.
ACCOUNT_CHANGED = CHANGE_NOTICES
WINDOW_GRACE = timedelta(minutes=1)  # clocks differ a little between Microsoft and this machine

S = Finding.Status


def on_findings_recorded(sender, owner_id: int, finding_ids: list[int], **kwargs) -> None:
    member = Member.objects.filter(user_id=owner_id).first()
    if member is None:
        return  # a user outside any household (an import from the command line): stored, not triaged
    household_changed.send(sender=Member, household_id=member.household_id)
    for finding in Finding.objects.filter(pk__in=finding_ids).order_by("arrived_at", "id"):
        if finding.history:
            # Past activity from a first scan: the account is known and counted, nobody is asked.
            if finding.category in (Finding.Category.MS_CODE, Finding.Category.MS_ALERT):
                linking.attach(member, finding)
            continue
        if finding.category == Finding.Category.UNVERIFIED:
            verified = _same_wave(finding, Finding.Category.MS_CODE).order_by("arrived_at").first()
            if verified is None or not finding.vouched_for_by(verified):
                continue
        _handle(member, finding)
        if finding.category == Finding.Category.MS_CODE:
            for earlier in _same_wave(finding, Finding.Category.UNVERIFIED).order_by("arrived_at", "id"):
                if earlier.vouched_for_by(finding):
                    _handle(member, earlier)


def _handle(member: Member, finding: Finding) -> None:
    if finding.category in (Finding.Category.MS_CODE, Finding.Category.MS_ALERT):
        account = linking.attach(member, finding)
        if account is not None and evidence.on_finding(account, finding, member.zone):
            household_changed.send(sender=Member, household_id=member.household_id)
    if finding.category == Finding.Category.MS_CODE:
        apply_rules(member, finding)
    elif finding.category == Finding.Category.MS_ALERT:
        severity = Severity.CRITICAL if finding.template in ACCOUNT_CHANGED else Severity.HIGH
        _account_incident(member, [finding], severity)
    elif finding.category == Finding.Category.PHISHING:
        _phishing_incident(member, finding)


def _same_wave(finding: Finding, category: str):
    """The member's findings of category in the same wave as finding: the same Microsoft template
    for the same account, within a wave's gap of it (a code nobody vouched for and a verified one
    of one wave are one attack's mail)."""
    return Finding.objects.filter(
        owner_id=finding.owner_id,
        category=category,
        template=finding.template,
        account_hint=finding.account_hint,
        arrived_at__gte=finding.arrived_at - WAVE_GAP,
        arrived_at__lte=finding.arrived_at + WAVE_GAP,
        history=False,
    ).exclude(pk=finding.pk)


def local_time(member: Member, moment: datetime) -> str:
    return zoned(moment, "H:i", member.zone)


def _window_reason(member: Member, opened_at: datetime) -> str:
    return f"arrived inside the sign-in window opened at {local_time(member, opened_at)}"


def apply_rules(member: Member, finding: Finding) -> None:
    if finding.status != S.PENDING:
        return
    at = finding.arrived_at
    window = SignInWindow.objects.filter(member=member, opened_at__lte=at + WINDOW_GRACE, ends_at__gte=at).first()
    if window:
        _set_status(
            member, finding, S.EXPECTED, [_window_reason(member, window.opened_at)], actor=None, only_from=S.PENDING
        )
        return
    reasons = []
    if member.in_quiet_hours(at):
        reasons.append(
            f"arrived at {local_time(member, at)}, in quiet hours ({member.quiet_start:%H:%M}–{member.quiet_end:%H:%M})"
        )
    burst = _burst(member, finding)
    burst_reason = f"{len(burst) + 1} codes for {finding.account_hint or 'one account'} within 30 minutes"
    campaign = _campaign(member, finding)
    people = len({f.owner_id for f in campaign} | {member.user_id})
    campaign_reason = f"codes reached {people} members of the household within 60 minutes"
    reasons += [burst_reason] if burst else []
    reasons += [campaign_reason] if campaign else []
    if not reasons:
        code_awaits_answer.send(sender=Finding, finding=finding, member=member)
        return
    _set_status(member, finding, S.UNSOLICITED, reasons, actor=None, only_from=S.PENDING)
    # Codes of the burst that an earlier code already put in an incident are not handled again: an
    # attack of hundreds of codes an hour would otherwise cost work growing with every code.
    _account_incident(member, [finding, *_not_yet_in(Incident.Kind.ACCOUNT, burst)])
    for other in burst:
        if other.status == S.PENDING:
            _set_status(member, other, S.UNSOLICITED, [burst_reason], actor=None, only_from=S.PENDING)
    if campaign:
        members = {m.user_id: m for m in Member.objects.filter(household_id=member.household_id)}
        for other in campaign:
            owner = members.get(other.owner_id)
            if owner and other.status == S.PENDING:
                _set_status(owner, other, S.UNSOLICITED, [campaign_reason], actor=None, only_from=S.PENDING)
                _account_incident(owner, [other])
        everyone = [finding, *_not_yet_in(Incident.Kind.CAMPAIGN, campaign)]
        join_incident(
            member.household_id, None, Incident.Kind.CAMPAIGN, everyone, _step_up(Severity.HIGH, _risky(everyone))
        )


def _not_yet_in(kind: str, findings: list[Finding]) -> list[Finding]:
    """Those of findings that no incident of this kind holds yet (one query)."""
    held = set(
        IncidentFinding.objects.filter(incident__kind=kind, finding__in=findings).values_list("finding_id", flat=True)
    )
    return [f for f in findings if f.pk not in held]


def _burst(member: Member, finding: Finding) -> list[Finding]:
    """The other codes for the same account that make a burst of 3 or more within 30 minutes with this one."""
    at = finding.arrived_at
    account_id = AccountFinding.objects.filter(finding=finding).values_list("account_id", flat=True).first()
    same_account = {"account_link__account_id": account_id} if account_id else {"account_hint": finding.account_hint}
    near = list(
        Finding.objects.codes()
        .filter(owner_id=member.user_id, arrived_at__range=(at - BURST_SPAN, at + BURST_SPAN), **same_account)
        .exclude(status=S.EXPECTED)
        .exclude(pk=finding.pk)
        .order_by("arrived_at")
    )
    # Every candidate start lies within 30 minutes before this code, so each span holds this code too.
    for start in [f.arrived_at for f in near if f.arrived_at <= at] + [at]:
        group = [f for f in near if start <= f.arrived_at <= start + BURST_SPAN]
        if len(group) + 1 >= BURST_COUNT:
            return group
    return []


def _campaign(member: Member, finding: Finding) -> list[Finding]:
    """Codes of other members of the household within 60 minutes of this one (none that they expected)."""
    at = finding.arrived_at
    others = (
        Finding.objects.codes()
        .filter(
            owner__member__household_id=member.household_id, arrived_at__range=(at - CAMPAIGN_SPAN, at + CAMPAIGN_SPAN)
        )
        .exclude(owner_id=member.user_id)
        .exclude(status=S.EXPECTED)
    )
    found = list(others)
    return found if len({f.owner_id for f in found}) + 1 >= CAMPAIGN_MEMBERS else []


def _risky(findings: list[Finding]) -> bool:
    return any(f.template in HIGH_RISK_CODES for f in findings)


def _step_up(base: int, risky: bool) -> int:
    """A security or reset code ranks one step above a single-use code."""
    return min(Severity.CRITICAL, base + (1 if risky else 0))


def _account_incident(member: Member, findings: list[Finding], severity: int | None = None) -> Incident:
    """The wave incident of each finding's account (one per account per wave). Codes: medium for a
    single-use code, one step up for a security or reset code, one more for a burst; alerts come
    with their own severity, so a password-changed alert raises the wave to critical."""
    incident = None
    by_account: dict[int | None, list[Finding]] = {}
    for finding in findings:
        account = linking.attach(member, finding)
        by_account.setdefault(account.pk if account else None, []).append(finding)
    for account_id, group in by_account.items():
        wanted = severity if severity is not None else _step_up(Severity.MEDIUM, _risky(group))
        incident = join_incident(
            member.household_id, member, Incident.Kind.ACCOUNT, group, wanted, account_id=account_id
        )
        codes = incident.findings.codes()
        if codes.count() >= BURST_COUNT:
            burst = _step_up(Severity.HIGH, codes.filter(template__in=HIGH_RISK_CODES).exists())
            if burst > incident.severity:
                _raise_severity(incident, burst)
        if incident.account_id:
            _reopen_stale_steps(member, incident, group)
    return incident


def _reopen_stale_steps(member: Member, incident: Incident, findings: list[Finding]) -> None:
    """Steps marked done before this wave began cannot have answered it: set them back to do."""
    templates = {f.template for f in findings}
    account = incident.account
    if checklist.reopen_stale(account, templates, incident.opened_at, member.zone, apps_at=account.apps_notice_at):
        household_changed.send(sender=Member, household_id=member.household_id)


def _phishing_incident(member: Member, finding: Finding) -> Incident:
    """Lookalike mail, grouped per address it was sent to and per week (Monday in the member's time)."""
    day = finding.arrived_at.astimezone(member.zone).date()
    return join_incident(
        member.household_id,
        member,
        Incident.Kind.PHISHING,
        [finding],
        Severity.HIGH,
        account_hint=finding.recipient,
        period_start=day - timedelta(days=day.weekday()),
    )


def join_incident(
    household_id: int,
    owner: Member | None,
    kind: str,
    findings: list[Finding],
    severity: int,
    account_hint: str = "",
    account_id: int | None = None,
    period_start=None,
) -> Incident:
    """Add findings to the open incident they belong to, or open one. owner None: the household's own.
    A week's incident (period_start) groups by its week; the others by waves, a day's quiet apart."""
    latest = max(f.arrived_at for f in findings)
    earliest = min(f.arrived_at for f in findings)
    key = dict(household_id=household_id, kind=kind, member=owner, account_hint=account_hint, account_id=account_id)
    rows = Incident.objects.select_for_update().filter(**key).unresolved()
    if period_start is not None:
        rows = rows.filter(period_start=period_start)
    else:
        rows = rows.filter(last_seen_at__gte=earliest - GROUP_GAP, opened_at__lte=latest + GROUP_GAP)
    incident = rows.order_by("-last_seen_at").first()
    if incident is None:
        incident = Incident.objects.create(
            **key, severity=severity, opened_at=earliest, last_seen_at=latest, period_start=period_start
        )
        audit.record(
            household_id,
            None,
            "incident.opened",
            f"Opened ({incident.get_severity_display()}): {incident.title}",
            incident=incident,
        )
        incident_changed.send(sender=Incident, incident=incident, change="opened")
    else:
        if latest > incident.last_seen_at:
            Incident.objects.filter(pk=incident.pk).update(last_seen_at=latest)
            incident.last_seen_at = latest
        if earliest < incident.opened_at:  # mail read late (a backfill) that began the wave earlier
            Incident.objects.filter(pk=incident.pk).update(opened_at=earliest)
            incident.opened_at = earliest
        if severity > incident.severity:
            _raise_severity(incident, severity)
    IncidentFinding.objects.bulk_create(
        [IncidentFinding(incident=incident, finding=f) for f in findings], ignore_conflicts=True
    )
    return incident


def fold_waves(sender, target, **kwargs) -> None:
    """After two records of one account became one, their open incidents of one wave become one:
    findings and log move to the earliest, which keeps the highest severity."""
    rows = list(
        Incident.objects.select_for_update()
        .filter(account=target, kind=Incident.Kind.ACCOUNT)
        .unresolved()
        .order_by("opened_at", "id")
    )
    keep = None
    for incident in rows:
        if keep is None or incident.opened_at > keep.last_seen_at + GROUP_GAP:
            keep = incident
            continue
        moved = IncidentFinding.objects.filter(incident=incident).values_list("finding_id", flat=True)
        IncidentFinding.objects.bulk_create(
            [IncidentFinding(incident=keep, finding_id=f) for f in moved], ignore_conflicts=True
        )
        incident.events.update(incident=keep)
        keep.last_seen_at = max(keep.last_seen_at, incident.last_seen_at)
        keep.severity = max(keep.severity, incident.severity)
        keep.assignee_id = keep.assignee_id or incident.assignee_id
        keep.save(update_fields=["last_seen_at", "severity", "assignee"])
        incident.delete()
        audit.record(keep.household_id, None, "incident.merged", f"Merged into {keep.title}", incident=keep)


def _raise_severity(incident: Incident, severity: int) -> None:
    Incident.objects.filter(pk=incident.pk).update(severity=severity)
    incident.severity = severity
    audit.record(
        incident.household_id,
        None,
        "incident.severity",
        f"Severity raised to {Severity(severity).label}",
        incident=incident,
    )
    incident_changed.send(sender=Incident, incident=incident, change="raised")


def _what(finding: Finding) -> str:
    """A finding as the log names it: a code by its masked digits, a notice by what it reported."""
    return f"code {' '.join(finding.codes_masked)}" if finding.codes_masked else f"“{finding.template_label}”"


def _set_status(member: Member, finding: Finding, status: str, reasons: list[str], actor, only_from=None) -> bool:
    rows = Finding.objects.filter(pk=finding.pk)
    if only_from:
        rows = rows.filter(status=only_from)
    changed = rows.update(status=status, status_reasons=reasons, status_by=actor, status_at=timezone.now())
    if not changed:
        return False
    finding.status, finding.status_reasons = status, reasons
    what = _what(finding)
    if actor:
        summary = f'said "{S(status).label}" about {what}'
    else:
        summary = f"marked {what} for {member.display_name} as {S(status).label}: {'; '.join(reasons)}"
    audit.record(member.household_id, actor, f"triage.{status}", summary, finding=finding)
    return True


@transaction.atomic
def answer(member: Member, finding: Finding, status: str, actor) -> None:
    """The member's one click: "That was me" (expected) or "Not me" (unsolicited)."""
    label = "that was me" if status == S.EXPECTED else "not me"
    reason = f"{member.display_name} said: {label}"
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.status == status and finding.status_by_id == actor.pk:
        return  # a double click changes nothing and logs nothing
    _set_status(member, finding, status, [reason], actor=actor)
    household_changed.send(sender=Member, household_id=member.household_id)
    if status == S.UNSOLICITED and finding.reports_a_change:
        # Someone else changed the account: they are inside it. The step the notice proved is undone.
        incident = _account_incident(member, [finding], Severity.CRITICAL)
        if incident and incident.account_id:
            evidence.disowned(incident.account, finding, member.display_name, member.zone)
    elif status == S.UNSOLICITED:
        _account_incident(member, [finding])
    else:
        for incident in finding.incidents.unresolved():
            audit.record(
                member.household_id,
                actor,
                "incident.note",
                f"{member.display_name} said {_what(finding)} was theirs",
                incident=incident,
                finding=finding,
            )


@transaction.atomic
def open_window(member: Member, actor) -> SignInWindow:
    now = timezone.now()
    window = SignInWindow.objects.create(member=member, opened_at=now, ends_at=now + WINDOW)
    audit.record(
        member.household_id,
        actor,
        "window.opened",
        f"{member.display_name} is about to sign in: codes until "
        f"{local_time(member, window.ends_at)} count as expected",
    )
    # A code that came a moment before the click (the member asked first, then clicked) is theirs too.
    just_before = Finding.objects.codes().filter(
        owner_id=member.user_id, status=S.PENDING, arrived_at__gte=now - WINDOW_GRACE
    )
    for finding in just_before:
        _set_status(member, finding, S.EXPECTED, [_window_reason(member, now)], actor=None, only_from=S.PENDING)
    household_changed.send(sender=Member, household_id=member.household_id)
    return window


def open_window_for(member: Member) -> SignInWindow | None:
    return SignInWindow.objects.filter(member=member, ends_at__gt=timezone.now()).first()


def visible_findings(member: Member, everyone: bool = False):
    """A member's own findings; an admin may ask for every member's of the household."""
    if everyone and member.is_admin:
        return Finding.objects.filter(owner__member__household_id=member.household_id)
    return Finding.objects.filter(owner_id=member.user_id)
