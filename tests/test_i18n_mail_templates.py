"""No English left in the mails either: the digest (with an admin's household part), the alert and the
notice, each part (subject, text, HTML) rendered in the pseudo-locale of tests/pseudo_locale.py. Values
from the database and the message's own lines are invented words, so any English run is template text
outside a translation tag. Also the English subject's real plurals and its weekly or daily word."""

from __future__ import annotations

from datetime import datetime
from datetime import timezone as tz
from html import escape
from types import SimpleNamespace

import pytest

from notify import digests
from notify.message import AlertMessage
from notify.models import Preference
from otpdash import mail
from tests.test_i18n_pseudo import PSEUDO, database_strings, english_left, in_pseudo, invented_names, pseudo_locales

pytestmark = pytest.mark.django_db
__all__ = ["in_pseudo", "pseudo_locales"]  # fixtures shared with the page walk's pseudo-locale test


def english_in_mail(subject: str, text: str, html: str, data: list[str]) -> dict[str, list[str]]:
    parts = {"subject": f"<p>{escape(subject)}</p>", "text": f"<pre>{escape(text)}</pre>", "html": html}
    return {name: left for name, part in parts.items() if (left := english_left(part, data))}


def _digest_of_the_owner():
    from tests.test_browser_walk import household_with_history

    data = household_with_history()
    invented_names(data)
    owner = data["owner"].member
    owner.refresh_from_db()
    owner.language = PSEUDO
    pref = digests.preference_of(owner)
    p = digests.forced(digests.period(owner, Preference.Digest.WEEKLY, datetime.now(tz.utc)), datetime.now(tz.utc))
    with owner.in_own_language():  # as send_digests builds it: the words it holds are the recipient's
        return digests.build(owner, p), pref


def test_the_digest_has_no_english_left_in_the_pseudo_locale(in_pseudo):
    digest, pref = _digest_of_the_owner()
    assert digest.household and digest.codes  # the household part and the per-day bars are in it
    subject, text, html, _headers = digests.rendered(digest, pref)
    assert "⟦" in subject and "⟦" in text and "⟦" in html  # else the check would pass on English it never saw
    found = english_in_mail(subject, text, html, database_strings())
    assert not found, found


def _alert_context(member) -> dict:
    step = SimpleNamespace(title="Qwv zyx qwv", url="https://account.live.com/proofs/Manage")
    message = AlertMessage(
        title="Zyx qwv", line="Qwv zyx qwvzyx", account="zyx@example.org", next_step=step,
        incident_url="http://localhost:8000/incidents/x/", link_label="Zyxqwv zyx", take_url="http://localhost:8000/t/",
        codes=[{"masked": "••••13", "when": "7 Dec 10:00", "expected": "http://e/", "unsolicited": "http://u/"}],
    )  # fmt: skip
    return {"message": message, "member": member, "title": "Zyx qwv", "body": "Qwv zyx qwvzyx"}


@pytest.mark.parametrize("name", ["notify/alert", "notify/notice"])
def test_the_alert_and_the_notice_have_no_english_left_in_the_pseudo_locale(in_pseudo, member, name):
    member.member.display_name = "Zyxa Qwv"
    context = _alert_context(member.member)
    subject, text, html = mail.render(name, context, language=PSEUDO)
    assert "⟦" in text and "⟦" in html
    found = english_in_mail(subject, text, html, ["Zyxa Qwv", "Qwv zyx qwvzyx", "Zyx qwv", "Qwv zyx qwv", "Zyxqwv zyx"])
    assert not found, found
    english = mail.render(name, context, language="en")
    assert (
        "Alerts are on for Zyxa Qwv" in english[2] and "You get this because alerts are on for Zyxa Qwv" in english[1]
    )


def _subject(codes: int, incidents: int, key: str) -> str:
    from django.template.loader import render_to_string

    digest = SimpleNamespace(codes=codes, incidents=[object()] * incidents, period=SimpleNamespace(key=key))
    return " ".join(render_to_string("notify/digest_subject.txt", {"d": digest}, using="text").split())


def test_the_digest_subject_has_real_plurals_and_says_weekly_or_daily():
    assert _subject(1, 0, "2026-W49") == "OTP Dash weekly digest: 1 code"
    assert _subject(2, 1, "2026-W49") == "OTP Dash weekly digest: 2 codes, 1 open incident"
    assert _subject(0, 5, "2026-11-30") == "OTP Dash daily digest: 0 codes, 5 open incidents"


def test_household_counts_keep_one_sentence_with_real_plurals():
    from django.template.loader import render_to_string

    counts = {"accounts": 1, "complete": 0, "attack": 1}
    remediation = SimpleNamespace(household_counts=counts, accounts_left=0, todo=[], matrix=[], steps=[],
                                  unacknowledged=[])  # fmt: skip
    context = {"remediation": remediation, "member": SimpleNamespace(is_admin=False), "ranges": [],
               "counts": {"codes_7": 1, "codes_30": 2, "unsolicited_7": 0, "unsolicited_30": 1, "alerts_30": 0, "phishing_30": 0},
               "chart": SimpleNamespace(unit="day", days=30, total=0, legend=[]), "open_incident_count": 1}  # fmt: skip
    page = " ".join(render_to_string("dashboard/_household_body.html", context).split())
    assert "The household: 1 account, 0 with every step settled, 1 under attack now." in page
    assert "1 open incident to review." in page and "Codes per day" in page
    assert "No Microsoft codes in the last 30 days." in page
