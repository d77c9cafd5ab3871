"""The household dashboard: counts, the chart, open incidents, mailbox health, polling, and its query count."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboard.chart import axis, stacked
from mailboxes.models import Mailbox
from otpdash.secretbox import forget_key_problem
from tests.findings import PHISHING, UNUSUAL_SIGNIN, arrive
from tests.people import join, never_quiet, sign_in

pytestmark = pytest.mark.django_db


def test_counts_for_7_and_30_days_and_a_bar_per_member_and_day(client, member, other_member):
    now = timezone.now()
    for days in (1, 2, 10, 40):
        arrive(member, now - timedelta(days=days, minutes=5))
    arrive(other_member, now - timedelta(days=1, hours=1))
    arrive(member, now - timedelta(days=3), mail=UNUSUAL_SIGNIN)
    arrive(member, now - timedelta(days=3), mail=PHISHING)
    sign_in(client, member)
    response = client.get(reverse("dashboard"))
    counts = response.context["counts"]
    assert counts["codes_7"] == 3 and counts["codes_30"] == 4  # the 40-day-old code counts in neither
    assert counts["alerts_30"] == 1 and counts["phishing_30"] == 1
    chart = response.context["chart"]
    assert chart.total == 4 and [(name, total) for _, name, total in chart.legend] == [("Alice", 3), ("Bob", 1)]
    page = response.content.decode()
    assert page.count("<rect ") == 4 and "Alice: 1 code on" in page and "Bob: 1 code on" in page
    assert 'hx-trigger="every 30s"' in page and "open incidents" in page
    assert "What each person still needs to do" in page


def test_the_polled_fragment_is_just_the_body(client, member):
    sign_in(client, member)
    fragment = client.get(reverse("dashboard"), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="household-body"') and "<html" not in fragment


def test_mailbox_health_counts_per_member(client, member, other_member):
    for owner, state, enabled in ((member, "ok", True), (member, "error", True), (other_member, "ok", False)):
        box = Mailbox(
            owner=owner, label=f"{owner} {state}", host="imap.example.com", username="u", state=state, enabled=enabled
        )
        box.set_secret("s")
        box.save()
    sign_in(client, member)
    health = {
        h["member"].display_name: (h["ok"], h["bad"], h["paused"])
        for h in client.get(reverse("dashboard")).context["health"]
    }
    assert health == {"Alice": (1, 1, 0), "Bob": (0, 0, 1)}


def test_chart_geometry_stacks_members_within_the_plot():
    today = date(2026, 11, 27)
    counts = {(1, today): 3, (2, today): 1, (1, today - timedelta(days=29)): 2, (1, today - timedelta(days=30)): 9}
    chart = stacked(counts, [(1, "A"), (2, "B")], today)
    assert chart.total == 6 and chart.unit == "day"  # the day 30 days back is outside the chart
    a, b = [bar for bar in chart.bars if bar.title.endswith("on Fri 27 Nov 2026")]
    assert a.title == "A: 3 codes on Fri 27 Nov 2026" and b.title == "B: 1 code on Fri 27 Nov 2026"
    assert b.y + b.height == pytest.approx(a.y, abs=0.2)  # B sits on top of A
    # The axis ends at the tallest day (4), so that bar reaches the top of the plot.
    assert [label for _, label in chart.ticks] == ["0", "1", "2", "3", "4"] and b.y == chart.ticks[-1][0]
    assert max(bar.x + bar.width for bar in chart.bars) <= chart.right and min(b.x for b in chart.bars) >= chart.left


@pytest.mark.parametrize(
    "peak, top, step", [(0, 1, 1), (1, 1, 1), (3, 3, 1), (5, 5, 1), (6, 6, 2), (7, 8, 2), (11, 15, 5), (101, 150, 50)]
)
def test_the_axis_fits_the_tallest_bar_in_at_most_five_whole_steps(peak, top, step):
    assert axis(peak) == (top, step)


def test_a_year_has_a_bar_per_week_ending_today_and_the_oldest_covers_what_is_left():
    today = date(2026, 12, 2)  # a Wednesday
    counts = {
        (1, today): 1,
        (1, today - timedelta(days=6)): 2,  # the same last seven days
        (1, today - timedelta(days=7)): 4,  # the week before
        (1, today - timedelta(days=364)): 8,  # the first day of the range: a bar of one day
        (1, today - timedelta(days=365)): 16,  # outside
    }
    chart = stacked(counts, [(1, "A")], today, days=365)
    titles = [bar.title for bar in chart.bars]
    assert chart.unit == "week" and chart.total == 15
    assert titles == [
        "A: 8 codes on Wed 03 Dec 2025",
        "A: 4 codes from Thu 19 Nov to Wed 25 Nov 2026",
        "A: 3 codes from Thu 26 Nov to Wed 02 Dec 2026",
    ]
    slot = (chart.right - chart.left) / 53
    assert chart.bars[0].x < chart.left + slot < chart.bars[1].x  # 53 slots: 52 weeks and one day
    assert 2 <= len(chart.labels) <= 6 and chart.labels[-1][1] == "26 Nov"  # the newest bar is labelled
    assert [label for _, label in chart.ticks] == ["0", "2", "4", "6", "8"]


def test_the_range_comes_from_the_link_and_anything_else_is_30_days(client, member):
    now = timezone.now()
    for days in (3, 45, 200):
        arrive(member, now - timedelta(days=days))
    sign_in(client, member)
    seen = {}
    for query in ("", "?days=7", "?days=90", "?days=365", "?days=14", "?days=abc", "?days=90&days=7"):
        response = client.get(reverse("dashboard") + query)
        chart = response.context["chart"]
        seen[query] = (chart.days, chart.unit, chart.total)
        if query == "?days=90":
            page = response.content.decode()
            assert '<a href="?days=90" aria-current="page">90 days</a>' in page and "Codes per week" in page
            assert 'hx-get="/dashboard/?days=90"' in page  # the poll keeps the range
    assert seen == {
        "": (30, "day", 1),
        "?days=7": (7, "day", 1),
        "?days=90": (90, "week", 2),
        "?days=365": (365, "week", 3),
        "?days=14": (30, "day", 1),
        "?days=abc": (30, "day", 1),
        "?days=90&days=7": (7, "day", 1),  # the last value wins, as everywhere in Django
    }
    empty = client.get(reverse("dashboard") + "?days=7")
    assert "No Microsoft codes in the last 7 days." not in empty.content.decode()


def test_an_empty_range_says_so(client, member):
    arrive(member, timezone.now() - timedelta(days=20))
    sign_in(client, member)
    page = client.get(reverse("dashboard") + "?days=7").content.decode()
    assert "No Microsoft codes in the last 7 days." in page and "<rect " not in page


def fill(household, prefix: str, members: int, codes_each: int, rng: random.Random):
    now = timezone.now()
    for i in range(members):
        user = join(household, f"{prefix}{i}")
        box = Mailbox(owner=user, label="box", host="imap.example.com", username="u")
        box.set_secret("s")
        box.save()
        for _ in range(codes_each):
            arrive(user, now - timedelta(days=rng.randint(0, 29), hours=rng.randint(0, 23)))


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/dashboard/", "/incidents/", "/codes/?who=all", "/me/"])
def test_queries_per_page_do_not_grow_with_the_data(client, household, url):
    owner = join(household, "olivia", "owner")
    sign_in(client, owner)
    # Admins' pages look for a lost encryption key once a minute per process: do it before counting,
    # afresh, or a check cached by an earlier test in this process may lapse halfway through.
    forget_key_problem()
    client.get("/whoami/")
    fill(household, "small", 2, 2, random.Random(1))
    small, small_again = count_queries(client, url), count_queries(client, url)
    fill(household, "large", 6, 4, random.Random(2))  # new findings: the dashboard's cached figures are dropped
    large, large_again = count_queries(client, url), count_queries(client, url)
    assert (small, small_again) == (large, large_again), url
    # The first request after new mail computes and caches the household's figures; later ones read them.
    # The budget: 20, plus one each for the owner's set-up card and the silenced-accounts notice (issue 24/25).
    assert large_again <= large <= 22, (large, large_again)


def test_the_chart_is_drawn_without_inline_style(client, member):
    arrive(member, timezone.now() - timedelta(hours=2))
    sign_in(client, member)
    svg = re.search(r"<svg.*?</svg>", client.get(reverse("dashboard")).content.decode(), re.S).group(0)
    assert "style" not in svg and 'class="series-0"' in svg


def test_cached_figures_follow_new_mail_and_answers_at_once(client, member, other_member):
    sign_in(client, member)
    never_quiet(member)
    code = arrive(member, timezone.now() - timedelta(hours=3))
    assert client.get(reverse("dashboard")).context["counts"]["unsolicited_7"] == 0
    client.post(reverse("code_answer", args=[code.code]), {"status": "unsolicited"})
    assert client.get(reverse("dashboard")).context["counts"]["unsolicited_7"] == 1
    arrive(other_member, timezone.now() - timedelta(days=2))
    assert client.get(reverse("dashboard")).context["counts"]["codes_7"] == 2
