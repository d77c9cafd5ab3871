"""Search: a person's findings and incidents by address, words of the subject, or sender. Access is the
codes and incidents pages' own: findings through triage.visible_findings (an admin may ask for the whole
household with who=all), incidents through Incident.objects.visible_to."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from accounts.access import member_required
from otpdash.paging import page_of

from . import triage
from .models import Incident, IncidentFinding

MIN_LENGTH = 2
# A search box holds a few words; more only make the query slower (each word is one more LIKE).
MAX_LENGTH = 200
MAX_WORDS = 8
# A mail is found by every word of its subject (in any order), or by part of an address or of its sender
# as typed: sender and addresses share words ("microsoft", "account") with nearly every mail.
ADDRESS_FIELDS = ("sender", "account_hint", "recipient")
INCIDENT_FIELDS = ("account__address", "account_hint")
QUOTES = "\"'“”‘’«»"
TABS = {"codes": gettext_lazy("Codes and mail"), "incidents": gettext_lazy("Incidents")}


def words_of(query: str) -> list[str]:
    """The query's distinct words, quotes dropped (people type "password reset" with them)."""
    found = []
    for word in query.split():
        word = word.strip(QUOTES)
        if word and word.casefold() not in (w.casefold() for w in found):
            found.append(word)
    return found


def every_word(words: list[str], field: str) -> Q:
    """Each word somewhere in the field (all must match), case-insensitively."""
    match = Q()
    for word in words:
        match &= Q(**{f"{field}__icontains": word})
    return match


def any_field(phrase: str, fields: tuple[str, ...]) -> Q:
    match = Q()
    for name in fields:
        match |= Q(**{f"{name}__icontains": phrase})
    return match


def matching_findings(member, everyone: bool, words: list[str]):
    phrase = " ".join(words)
    match = every_word(words, "subject") | any_field(phrase, ADDRESS_FIELDS)
    return triage.visible_findings(member, everyone).filter(match)


def matching_incidents(member, findings, words: list[str]):
    """Incidents the member may see that hold one of the matching findings they may see, or whose
    account address matches."""
    holding = IncidentFinding.objects.filter(finding__in=findings).values("incident_id")
    visible = Incident.objects.visible_to(member)
    return visible.filter(Q(pk__in=holding) | any_field(" ".join(words), INCIDENT_FIELDS))


@member_required
@require_GET
def search(request):
    member = request.member
    everyone = member.is_admin and request.GET.get("who") == "all"
    raw = " ".join(request.GET.get("q", "").split())
    query = raw[:MAX_LENGTH]
    tab = request.GET.get("in", "")
    tab = tab if tab in TABS else "codes"
    words = words_of(query)
    context = {"q": query, "cut": len(raw) > MAX_LENGTH, "dropped": words[MAX_WORDS:], "everyone": everyone,
               "tab": tab, "max_length": MAX_LENGTH}  # fmt: skip
    words = words[:MAX_WORDS]
    if not raw:
        context["problem"] = _("Type an address, a few words of a subject, or a sender to search for.")
        return render(request, "incidents/search.html", context)
    if len("".join(words)) < MIN_LENGTH:
        context["problem"] = ngettext(
            "Type at least %(count)d letter or digit: one character matches nearly everything.",
            "Type at least %(count)d letters or digits: one character matches nearly everything.",
            MIN_LENGTH,
        ) % {"count": MIN_LENGTH}
        return render(request, "incidents/search.html", context, status=400)
    findings = matching_findings(member, everyone, words).select_related("owner__member")
    incidents = matching_incidents(member, findings, words).select_related("member", "account")
    # One list at a time, paged; the other tab says how many it holds.
    if tab == "codes":
        page = context["codes"] = page_of(request, findings)
        counts = {"codes": page.paginator.count, "incidents": incidents.count()}
    else:
        page = context["incidents"] = page_of(request, incidents)
        counts = {"codes": findings.count(), "incidents": page.paginator.count}
    context["tabs"] = [(key, label, counts[key]) for key, label in TABS.items()]
    return render(request, "incidents/search.html", context)
