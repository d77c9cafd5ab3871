"""What an alert says: what happened in one line, the account, the next checklist step, and the
"That was me" / "Not me" links for the person's own codes in it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from incidents.models import Incident
from incidents.workflow import may_take
from msaccounts import checklist
from msaccounts.models import AccountFinding, StepMark
from otpdash.mail import absolute
from otpdash.times import zoned
from scanner.models import Finding

from .alerts import FOLD
from .followup import codes_since, snoozed_until
from .links import answer_urls, take_url
from .models import Alert

MAX_CODES = 5


@dataclass
class AlertMessage:
    title: str
    line: str
    account: str
    next_step: checklist.Step | None
    incident_url: str
    codes: list[dict] = field(default_factory=list)
    link_label: str = gettext_lazy("Open the incident")
    # "I'm on it": a signed link that acknowledges the incident for everyone and stops its reminders.
    take_url: str = ""

    def text(self) -> str:
        parts = [self.line]
        if self.account:
            parts.append(_("Account: %(account)s") % {"account": self.account})
        if self.next_step:
            step = {"title": self.next_step.title, "url": self.next_step.url}
            parts.append((_("Next step: %(title)s. %(url)s") % step).strip())  # "Tell your IT admin": no page
        for code in self.codes:
            parts.append(
                _("Code %(masked)s (%(when)s): that was me %(expected)s · not me %(unsolicited)s")
                % {k: code[k] for k in ("masked", "when", "expected", "unsolicited")}
            )
        if self.take_url:
            parts.append(_("I'm on it (stops the reminders for everyone): %(url)s") % {"url": self.take_url})
        parts.append(_("Details: %(url)s") % {"url": self.incident_url})
        return "\n".join(parts)


class Skip(Exception):
    """The alert is not sent, for the reason given (recorded as its outcome)."""


def compose(alert: Alert) -> AlertMessage:
    """What the alert says; Skip when it should no longer go (answered, taken, silenced)."""
    if alert.event.startswith("contradicted:"):
        return _contradicted(alert)
    if alert.incident_id is None:
        return _question(alert)
    incident = alert.incident
    member = alert.member
    kind = alert.event.split(":")[0]
    if kind in ("reminder", "escalation") and incident.state != Incident.State.OPEN:
        raise Skip(
            "not sent: the incident is resolved" if incident.state == "resolved" else "not sent: someone is on it"
        )
    until = snoozed_until(member, incident.account_id, timezone.now()) if kind != "escalation" else None
    if until:
        shown = zoned(until, "j M Y H:i", member.zone)
        raise Skip(f"not sent: alerts for {incident.account.address} are silenced until {shown}")
    severity = incident.get_severity_display()
    account = incident.account.address if incident.account_id else ""
    findings = list(incident.findings.order_by("-arrived_at")[:50])
    codes = [f for f in findings if f.is_code]
    if kind == "reminder":
        since = _last_sent(alert)
        newer = codes_since(incident, since).count() if since else 0
        when = zoned(since, "j M H:i", member.zone) if since else _("your last alert")
        line = ngettext(
            "Still happening: %(count)d more code for %(account)s since your alert of %(when)s. "
            "Nobody has said “I'm on it” yet.",
            "Still happening: %(count)d more codes for %(account)s since your alert of %(when)s. "
            "Nobody has said “I'm on it” yet.",
            newer,
        ) % {"count": newer, "account": account, "when": when}
    elif kind == "escalation":
        line = _(
            "Nobody has taken this %(severity)s incident and no checklist step was marked since it opened "
            "%(opened)s: %(title)s."
        ) % {"severity": severity, "opened": zoned(incident.opened_at, "j M H:i", member.zone), "title": incident.title}
    elif incident.kind == Incident.Kind.PHISHING:
        if incident.account_hint:
            line = _("A lookalike of Microsoft's mail reached %(where)s: do not click its links, delete it.") % {
                "where": incident.account_hint
            }
        else:
            line = _("A lookalike of Microsoft's mail reached your mailbox: do not click its links, delete it.")
    elif incident.kind == Incident.Kind.CAMPAIGN:
        line = _("Microsoft codes nobody asked for reached several people here within an hour (%(severity)s).") % {
            "severity": severity
        }
    elif alert.event.split(":")[2] == "raised":
        latest = findings[0].template_label if findings else _("a new code")
        values = {"account": account, "severity": severity, "latest": latest}
        if account:
            line = _("The attack on %(account)s is now %(severity)s: %(latest)s.") % values
        else:
            line = _("The attack on your Microsoft account is now %(severity)s: %(latest)s.") % values
    elif codes:
        if account:
            line = _("Someone is asking Microsoft for sign-in codes for %(account)s: a new wave (%(severity)s).") % {
                "account": account,
                "severity": severity,
            }
        else:
            line = _("Someone is asking Microsoft for sign-in codes for your account: a new wave (%(severity)s).") % {
                "severity": severity
            }
    else:
        latest = findings[0].template_label if findings else _("a security alert")
        values = {"account": account, "severity": severity, "latest": latest}
        if account:
            line = _("Microsoft sent a security alert about %(account)s: %(latest)s (%(severity)s).") % values
        else:
            line = _("Microsoft sent a security alert about your account: %(latest)s (%(severity)s).") % values
    step = None
    if incident.account_id:
        step = checklist.next_step_of(incident.account)
    mine = [f for f in codes if f.owner_id == member.user_id][:MAX_CODES]
    named = {"account": account or incident.title, "severity": severity}
    if kind == "reminder":
        title = _("OTP Dash: still happening, %(account)s") % {"account": account}
    elif kind == "escalation":
        title = _("OTP Dash: nobody is on it, %(severity)s: %(account)s") % named
    else:
        title = _("OTP Dash: %(severity)s alert, %(account)s") % named
    return AlertMessage(
        title=title,
        line=line,
        account=account,
        next_step=step,
        incident_url=absolute(reverse("incident_detail", args=[incident.code])),
        codes=_answerable(member, mine),
        take_url=take_url(member, incident) if may_take(incident, member) and incident.state == "open" else "",
    )


def _last_sent(alert: Alert):
    """When this person was last told about this incident, before this alert."""
    return (
        Alert.objects.filter(member=alert.member, incident=alert.incident, state=Alert.State.SENT, channel__isnull=True)
        .exclude(pk=alert.pk)
        .exclude(outcome__startswith="not sent")
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )


def _contradicted(alert: Alert) -> AlertMessage:
    """The step the person marked done did not hold: codes still arrive for the address."""
    mark = StepMark.objects.select_related("account").filter(pk=int(alert.event.split(":")[1])).first()
    if mark is None:
        raise Skip("not sent: the account is gone")
    account = mark.account
    until = snoozed_until(alert.member, account.pk, timezone.now())
    if until:
        raise Skip(
            f"not sent: alerts for {account.address} are silenced until {zoned(until, 'j M Y H:i', alert.member.zone)}"
        )
    step = next((s for s in checklist.steps_for(account) if s.key == mark.step), None)
    return AlertMessage(
        title=_("OTP Dash: codes still arrive for %(address)s") % {"address": account.address},
        line=_("%(reason)s. The step is open again.") % {"reason": f"{mark.reason[:1].upper()}{mark.reason[1:]}"},
        account=account.address,
        next_step=step,
        incident_url=absolute(reverse("account_detail", args=[account.code])),
        link_label=_("Open the account's checklist"),
    )


def _question(alert: Alert) -> AlertMessage:
    """ "Was this you?" for the person's new codes: the one that raised it and any that arrived
    within minutes of it and still wait for an answer."""
    member, first = alert.member, alert.finding
    account_id = AccountFinding.objects.filter(finding=first).values_list("account_id", flat=True).first()
    until = snoozed_until(member, account_id, timezone.now())
    if until:
        raise Skip(f"not sent: alerts for this account are silenced until {zoned(until, 'j M Y H:i', member.zone)}")
    waiting = list(
        Finding.objects.codes()
        .filter(owner_id=member.user_id, status=Finding.Status.PENDING, history=False,
                arrived_at__gte=first.arrived_at - FOLD)
        .order_by("-arrived_at")[:MAX_CODES]
    )  # fmt: skip
    if not waiting:
        raise Skip("not sent: already answered")
    hints = {f.account_hint for f in waiting}
    shown = next(iter(hints)) if len(hints) == 1 else ""  # one account named, or none
    line, title = _question_words(shown, len(hints), len(waiting))
    return AlertMessage(
        title=title,
        line=line,
        account=shown,
        next_step=None,
        incident_url=absolute(reverse("codes")),
        link_label=_("Open your codes"),
        codes=_answerable(member, waiting),
    )


def _question_words(shown: str, accounts: int, count: int) -> tuple[str, str]:
    """The question's line and title, whole sentences for one named account, several, or one unnamed."""
    values = {"account": shown, "count": count}
    if shown:
        line = ngettext(
            "A Microsoft code for %(account)s just arrived. Was this you?",
            "%(count)d Microsoft codes for %(account)s just arrived. Was this you?",
            count,
        )
        title = _("OTP Dash: was this you? A Microsoft code for %(account)s")
    elif accounts > 1:
        line = ngettext(
            "A Microsoft code for your Microsoft accounts just arrived. Was this you?",
            "%(count)d Microsoft codes for your Microsoft accounts just arrived. Was this you?",
            count,
        )
        title = _("OTP Dash: was this you? A Microsoft code for your Microsoft accounts")
    else:
        line = ngettext(
            "A Microsoft code for your Microsoft account just arrived. Was this you?",
            "%(count)d Microsoft codes for your Microsoft account just arrived. Was this you?",
            count,
        )
        title = _("OTP Dash: was this you? A Microsoft code for your Microsoft account")
    line = line % values + " " + _("If you did not ask for it, never enter it anywhere and answer 'Not me'.")
    return line, title % values


def _answerable(member, findings) -> list[dict]:
    """Each of the person's own codes as the alert lists it: masked, when, and its two answer links."""
    return [
        {"masked": " ".join(f.codes_masked) or pgettext("one-time code", "code"),
         "when": zoned(f.arrived_at, "j M H:i", member.zone), **answer_urls(member, f)}
        for f in findings
    ]  # fmt: skip
