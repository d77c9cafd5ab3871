"""The digest: weekly (Monday 08:00) or daily (08:00) in each person's own time zone, a few minutes'
jitter apart; claimed per person and period before it is sent, so two workers never send it twice."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Member
from incidents.models import Incident, Severity
from mailboxes.models import Mailbox
from msaccounts.models import Account
from msaccounts.overview import overview
from otpdash import mail
from scanner.models import Finding

from .alerts import preference_of
from .links import unsubscribe_url
from .models import Channel, DigestSent, Preference

MAIL = "notify/digest"
SEND_AT = time(8, 0)
JITTER_MINUTES = 10


@dataclass
class Period:
    key: str
    due: datetime
    start: datetime
    end: datetime


def jitter(member: Member) -> timedelta:
    """The same few minutes every time for one person, different across people: a household's
    digests do not all leave in the same second."""
    return timedelta(minutes=int(hashlib.sha256(str(member.code).encode()).hexdigest(), 16) % JITTER_MINUTES)


def period(member: Member, frequency: str, now: datetime) -> Period:
    """The latest period whose send time has come (or the current one, before its time)."""
    local = now.astimezone(member.zone)
    day = local.date()
    if frequency == Preference.Digest.WEEKLY:
        day -= timedelta(days=day.weekday())
        length = timedelta(days=7)
    else:
        length = timedelta(days=1)
    due = datetime.combine(day, SEND_AT, tzinfo=member.zone) + jitter(member)
    iso = day.isocalendar()
    key = f"{iso.year}-W{iso.week:02d}" if frequency == Preference.Digest.WEEKLY else day.isoformat()
    return Period(key=key, due=due, start=due - length, end=due)


@dataclass
class Digest:
    member: Member
    period: Period
    codes: int = 0
    per_day: list[tuple[date, int]] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    accounts: list = field(default_factory=list)
    household: dict | None = None

    @property
    def empty(self) -> bool:
        quiet = not self.codes and not self.incidents
        if self.household is not None:
            h = self.household
            quiet = quiet and not h["codes"] and not h["open_by_severity"] and not h["mailboxes"] and not h["channels"]
        return quiet

    @property
    def peak(self) -> int:
        return max([n for _day, n in self.per_day] + [1])

    @property
    def bars(self) -> list[tuple[date, str, int]]:
        """The week as text bars, for the plain-text part: (day, "####", count)."""
        return [(day, "#" * round(20 * n / self.peak), n) for day, n in self.per_day]


def build(member: Member, p: Period) -> Digest:
    zone = member.zone
    mine = Finding.objects.codes().filter(owner_id=member.user_id, arrived_at__gte=p.start, arrived_at__lt=p.end)
    counts = dict(
        mine.annotate(day=TruncDate("arrived_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
        .order_by()
    )
    days = [(p.start.astimezone(zone).date() + timedelta(days=i)) for i in range((p.end - p.start).days)]
    digest = Digest(
        member=member,
        period=p,
        codes=sum(counts.values()),
        per_day=[(d, counts.get(d, 0)) for d in days],
        incidents=list(Incident.objects.unresolved().filter(member=member).select_related("account", "member")[:10]),
        accounts=overview(list(Account.objects.filter(member=member).select_related("member")), zone),
    )  # fmt: skip
    if member.is_admin:
        digest.household = household_summary(member, p)
    return digest


def household_summary(admin: Member, p: Period) -> dict:
    people = list(Member.objects.filter(household_id=admin.household_id).order_by("display_name"))
    codes = dict(
        Finding.objects.codes()
        .filter(owner__member__household_id=admin.household_id, arrived_at__gte=p.start, arrived_at__lt=p.end)
        .values("owner_id").annotate(n=Count("pk")).values_list("owner_id", "n").order_by()
    )  # fmt: skip
    open_counts = dict(
        Incident.objects.filter(household_id=admin.household_id).unresolved()
        .values("severity").annotate(n=Count("pk")).values_list("severity", "n").order_by()
    )  # fmt: skip
    troubled = (
        Mailbox.objects.filter(owner__member__household_id=admin.household_id)
        .filter(Q(enabled=False) | Q(state__in=[Mailbox.State.ERROR, Mailbox.State.AUTH_FAILED, Mailbox.State.PAUSED]))
        .values("owner__member__display_name").annotate(n=Count("pk")).values_list("owner__member__display_name", "n")
    )  # fmt: skip
    failing = (
        Channel.objects.filter(member__household_id=admin.household_id)
        .filter(Q(enabled=False) | Q(failures__gt=0))
        .values("member__display_name").annotate(n=Count("pk")).values_list("member__display_name", "n")
    )  # fmt: skip
    accounts = list(Account.objects.filter(member__household_id=admin.household_id).select_related("member"))
    views = overview(accounts, admin.zone)
    return {
        "codes": [(m.display_name, codes.get(m.user_id, 0)) for m in people if codes.get(m.user_id)],
        "open_by_severity": [(Severity(s).label, n) for s, n in sorted(open_counts.items(), reverse=True)],
        "matrix": views,
        # Steps the mail contradicts come first: someone believes they are done, and they are not.
        "contradicted": _contradicted(views),
        "unacknowledged": [m.display_name for m in people if not m.codes_acknowledged_at],
        "mailboxes": list(troubled.order_by()),
        "channels": list(failing.order_by()),
    }


def _contradicted(views) -> list[tuple[str, str, str, str]]:
    """(person, account, step, why) for each step what arrived contradicts."""
    return [
        (v.account.member.display_name, v.account.address, step.title, words)
        for v in views
        for _key, step, state, words in v.cells
        if state == "contradicted"
    ]


def forced(p: Period, now: datetime) -> Period:
    """--now: this period's digest whatever the hour, the days up to this moment, under this period's claim."""
    return Period(key=p.key, due=now, start=now - (p.end - p.start), end=now)


@dataclass
class NextDigest:
    """The digest a person gets next, as things stand now. No period: their digests are off."""

    pref: Preference
    period: Period | None = None
    digest: Digest | None = None
    # This period's was already sent (or found empty and skipped): the one shown is the next period's.
    done: DigestSent | None = None
    due_now: bool = False

    @property
    def will_send(self) -> bool:
        return self.digest is not None and (not self.digest.empty or self.pref.empty_digests)


def next_digest(member: Member, now: datetime | None = None, force: bool = False) -> NextDigest:
    """What send_digests would mail this person next (force: as `--now` would, unless already claimed)."""
    now = now or timezone.now()
    pref = preference_of(member)
    if pref.digest == Preference.Digest.OFF:
        return NextDigest(pref=pref)
    p = period(member, pref.digest, now)
    done = DigestSent.objects.filter(member=member, period=p.key).first()
    if done:
        p = period(member, pref.digest, p.due + (p.end - p.start))
    elif force:
        p = forced(p, now)
    due_now = not done and (force or now >= p.due)
    return NextDigest(pref=pref, period=p, digest=build(member, p), done=done, due_now=due_now)


def send_digests(now: datetime | None = None, force: bool = False, username: str | None = None,
                 dry_run: bool = False) -> list[str]:  # fmt: skip
    """Send every digest that is due (force: this period's, whatever the hour). One line per person."""
    now = now or timezone.now()
    people = Member.objects.select_related("user", "household").order_by("household_id", "display_name")
    if username:
        people = people.filter(user__username=username)
    report = []
    for member in people:
        pref = preference_of(member)
        if pref.digest == Preference.Digest.OFF:
            continue
        p = period(member, pref.digest, now)
        if force:
            p = forced(p, now)
        elif now < p.due:
            continue
        if DigestSent.objects.filter(member=member, period=p.key).exists():
            continue
        with member.in_own_language():  # words the digest holds are the recipient's, not the worker's
            digest = build(member, p)
        name = member.user.get_username()
        if digest.empty and not pref.empty_digests:
            if not dry_run:
                _claim(member, p.key, "nothing to report")
            report.append(_("%(name)s %(period)s: nothing to report, not sent") % {"name": name, "period": p.key})
            continue
        if dry_run:
            to = member.user.email or _("nobody (no address)")
            report.append(_("%(name)s %(period)s: would send to %(to)s") % {"name": name, "period": p.key, "to": to})
            continue
        if not _claim(member, p.key, "sending"):
            continue  # another worker took it a moment ago
        outcome = _send(digest, pref)
        DigestSent.objects.filter(member=member, period=p.key).update(outcome=outcome[:300])
        report.append(f"{name} {p.key}: {outcome}")
    return report


def _claim(member: Member, key: str, outcome: str) -> bool:
    try:
        DigestSent.objects.create(member=member, period=key, outcome=outcome)
    except IntegrityError:
        return False
    return True


def mail_parts(digest: Digest, pref: Preference) -> tuple[dict, dict]:
    """The digest mail's template context and headers: what is sent, and what the preview shows."""
    unsubscribe = unsubscribe_url(digest.member)
    headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    context = {"d": digest, "member": digest.member, "unsubscribe": unsubscribe, "frequency": pref.get_digest_display()}
    return context, headers


def rendered(digest: Digest, pref: Preference) -> tuple[str, str, str, dict]:
    """Subject, text, HTML and headers of the digest exactly as _send mails them (the preview's copy)."""
    with timezone.override(digest.member.zone), digest.member.in_own_language():
        context, headers = mail_parts(digest, pref)
        return (*mail.render(MAIL, context), headers)


def _send(digest: Digest, pref: Preference) -> str:
    member = digest.member
    if not member.user.email:
        return "not sent: no email address on the account"
    try:
        # Dates and words in the mail are the person's, as on their pages, not the server's.
        with timezone.override(member.zone), member.in_own_language():
            context, headers = mail_parts(digest, pref)
            mail.send(MAIL, context, to=member.user.email, headers=headers)
    except mail.MailUnavailable as exc:
        return f"failed: {exc}"
    return f"sent to {member.user.email}"
