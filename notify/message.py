"""What an alert says: what happened in one line, the account, the next checklist step, and the
"That was me" / "Not me" links for the person's own codes in it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from incidents.models import Incident
from msaccounts import checklist
from otpdash.mail import absolute
from otpdash.times import zoned
from scanner.models import Finding

from .alerts import FOLD
from .links import answer_urls
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
    link_label: str = "Open the incident"

    def text(self) -> str:
        parts = [self.line]
        if self.account:
            parts.append(f"Account: {self.account}")
        if self.next_step:
            parts.append(f"Next step: {self.next_step.title}. {self.next_step.url}")
        for code in self.codes:
            parts.append(
                f"Code {code['masked']} ({code['when']}): that was me {code['expected']} · not me {code['unsolicited']}"
            )
        parts.append(f"Details: {self.incident_url}")
        return "\n".join(parts)


def compose(alert: Alert) -> AlertMessage | None:
    """What the alert says; None for a question whose codes were all answered before it was sent."""
    if alert.incident_id is None:
        return _question(alert)
    incident = alert.incident
    member = alert.member
    severity = incident.get_severity_display()
    account = incident.account.address if incident.account_id else ""
    findings = list(incident.findings.order_by("-arrived_at")[:50])
    codes = [f for f in findings if f.is_code]
    if incident.kind == Incident.Kind.PHISHING:
        where = incident.account_hint or "your mailbox"
        line = f"A lookalike of Microsoft's mail reached {where}: do not click its links, delete it."
    elif incident.kind == Incident.Kind.CAMPAIGN:
        line = f"Microsoft codes nobody asked for reached several people here within an hour ({severity})."
    elif alert.event.split(":")[2] == "raised":
        latest = findings[0].template_label if findings else "a new code"
        line = f"The attack on {account or 'your Microsoft account'} is now {severity}: {latest}."
    elif codes:
        line = (
            f"Someone is asking Microsoft for sign-in codes for {account or 'your account'}: a new wave ({severity})."
        )
    else:
        latest = findings[0].template_label if findings else "a security alert"
        line = f"Microsoft sent a security alert about {account or 'your account'}: {latest} ({severity})."
    step = None
    if incident.account_id:
        step = checklist.next_step(checklist.states([incident.account])[incident.account_id])
    mine = [f for f in codes if f.owner_id == member.user_id][:MAX_CODES]
    return AlertMessage(
        title=f"OTP Dash: {severity} alert, {account or incident.title}",
        line=line,
        account=account,
        next_step=step,
        incident_url=absolute(reverse("incident_detail", args=[incident.code])),
        codes=_answerable(member, mine),
    )


def _question(alert: Alert) -> AlertMessage | None:
    """ "Was this you?" for the person's new codes: the one that raised it and any that arrived
    within minutes of it and still wait for an answer."""
    member, first = alert.member, alert.finding
    waiting = list(
        Finding.objects.codes()
        .filter(owner_id=member.user_id, status=Finding.Status.PENDING, history=False,
                arrived_at__gte=first.arrived_at - FOLD)
        .order_by("-arrived_at")[:MAX_CODES]
    )  # fmt: skip
    if not waiting:
        return None
    hints = {f.account_hint for f in waiting}
    shown = next(iter(hints)) if len(hints) == 1 else ""  # one account named, or none
    account = shown or ("your Microsoft accounts" if len(hints) > 1 else "your Microsoft account")
    many = len(waiting) > 1
    line = (
        f"{len(waiting)} Microsoft codes for {account} just arrived. Was this you?"
        if many
        else f"A Microsoft code for {account} just arrived. Was this you?"
    )
    line += " If you did not ask for it, never enter it anywhere and answer 'Not me'."
    return AlertMessage(
        title=f"OTP Dash: was this you? A Microsoft code for {account}",
        line=line,
        account=shown,
        next_step=None,
        incident_url=absolute(reverse("codes")),
        link_label="Open your codes",
        codes=_answerable(member, waiting),
    )


def _answerable(member, findings) -> list[dict]:
    """Each of the person's own codes as the alert lists it: masked, when, and its two answer links."""
    return [
        {"masked": " ".join(f.codes_masked) or "code", "when": zoned(f.arrived_at, "j M H:i", member.zone),
         **answer_urls(member, f)}
        for f in findings
    ]  # fmt: skip
