"""Codes per member over a chosen range, as a stacked bar chart: plain geometry, drawn as SVG.

A range of 7 or 30 days has a bar per day; 90 or 365 days a bar per week (53 bars of a day would be
two pixels wide on a phone). Weeks end on the last day, so the newest bar is always the last seven
days; the oldest bar holds what is left of the range and says which days it covers.

Colours come from CSS classes (no inline style, so the page keeps its strict CSP). The text is sized by
CSS too: larger on phones, where the whole drawing is scaled down to the screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import dateformat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

RANGES = {7: 1, 30: 1, 90: 7, 365: 7}  # days shown -> days per bar
DEFAULT_RANGE = 30
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, BOTTOM, TOP = 48, 40, 30, 20  # room for labels at a phone's larger text
MAX_BAR = 48  # a week of seven bars would otherwise be a wall
MAX_LABELS = 6
# Day labels are "d M" in the reader's language ("07 Dez", "07 déc."): their width is estimated from
# their length at the phone's 24-unit type, the largest, with a generous average glyph width.
LABEL_GLYPH = 24 * 0.62
LABEL_GAP = 12
PALETTE = 8


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str


@dataclass
class Chart:
    days: int = DEFAULT_RANGE
    per_bar: int = 1
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)  # y position, label
    labels: list[tuple[float, str]] = field(default_factory=list)  # x position, label
    legend: list[tuple[int, str, int]] = field(default_factory=list)  # series, name, total
    total: int = 0
    left: int = LEFT
    right: int = WIDTH - RIGHT

    @property
    def unit(self) -> str:
        return "day" if self.per_bar == 1 else "week"


def range_from(value) -> int:
    """The range a query string asks for; anything else is the default (a stale or hand-edited link)."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_RANGE
    return days if days in RANGES else DEFAULT_RANGE


def axis(peak: int) -> tuple[int, int]:
    """The top of the axis and its step: whole numbers, at most five steps, and the top the first step at
    or above the peak, so the tallest bar nearly fills the plot (1 -> 0-1, 7 -> 0-8 by 2, 101 -> 0-150 by 50)."""
    peak = max(peak, 1)
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            steps = -(-peak // step)
            if steps <= 5:
                return steps * step, step
        magnitude *= 10


def _bar_title(name: str, n: int, first: date, last: date) -> str:
    # Day and month names in the reader's language (Django's date format, not the C locale's strftime).
    values = {
        "name": name,
        "count": n,
        "first": dateformat.format(first, "D d M"),
        "last": dateformat.format(last, "D d M Y"),
    }
    if first == last:
        return ngettext("%(name)s: %(count)d code on %(last)s", "%(name)s: %(count)d codes on %(last)s", n) % values
    return (
        ngettext(
            "%(name)s: %(count)d code from %(first)s to %(last)s",
            "%(name)s: %(count)d codes from %(first)s to %(last)s",
            n,
        )
        % values
    )


def stacked(
    counts: dict[tuple[int, date], int], people: list[tuple[int, str]], last_day: date, days: int = DEFAULT_RANGE
) -> Chart:
    """counts: (person id, day) -> codes. people: (id, name) in legend order."""
    per_bar = RANGES[days]
    chart = Chart(days=days, per_bar=per_bar)
    first_day = last_day - timedelta(days=days - 1)
    slots = -(-days // per_bar)
    grid: list[dict[int, int]] = [{} for _ in range(slots)]
    totals = {pid: 0 for pid, _ in people}
    for (pid, day), n in counts.items():
        if pid in totals and first_day <= day <= last_day:
            totals[pid] += n
            slot = slots - 1 - (last_day - day).days // per_bar
            grid[slot][pid] = grid[slot].get(pid, 0) + n
    per_slot = [sum(cell.values()) for cell in grid]
    top, step = axis(max(per_slot, default=0))
    plot_h = HEIGHT - BOTTOM - TOP
    width = (WIDTH - LEFT - RIGHT) / slots
    bar_w = min(width - 2, MAX_BAR) if width > 4 else width
    longest = max(len(dateformat.format(last_day - timedelta(days=n), "d M")) for n in range(0, days, per_bar))
    every = max(-(-slots // MAX_LABELS), math.ceil((longest * LABEL_GLYPH + LABEL_GAP) / width))
    candidates = []
    for i, cell in enumerate(grid):
        end = last_day - timedelta(days=(slots - 1 - i) * per_bar)
        start = max(end - timedelta(days=per_bar - 1), first_day)
        centre = LEFT + i * width + width / 2
        if (slots - 1 - i) % every == 0:  # counted from the newest bar, which is always labelled
            candidates.append((centre, dateformat.format(start, "d M")))
        y = float(HEIGHT - BOTTOM)
        for series, (pid, name) in enumerate(people):
            n = cell.get(pid, 0)
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            title = _bar_title(name, n, start, end)
            chart.bars.append(
                Bar(round(centre - bar_w / 2, 1), round(y, 1), round(bar_w, 1), round(h, 1), series % PALETTE, title)
            )
    chart.labels = _placed(candidates)
    chart.ticks = [(round(HEIGHT - BOTTOM - plot_h * v / top, 1), str(v)) for v in range(0, top + 1, step)]
    chart.legend = [(series % PALETTE, name, totals[pid]) for series, (pid, name) in enumerate(people)]
    chart.total = sum(per_slot)
    return chart


def _placed(labels: list[tuple[float, str]]) -> list[tuple[float, str]]:
    """Day labels kept inside the drawing, clear of the y axis's numbers, and never overlapping: the
    newest is always shown; an older one that would touch its right neighbour is left out."""
    placed: list[tuple[float, str]] = []
    for x, text in reversed(labels):
        half = len(text) * LABEL_GLYPH / 2
        x = min(max(x, LEFT + half), WIDTH - half)
        if placed and x + half + LABEL_GAP > placed[-1][0] - len(placed[-1][1]) * LABEL_GLYPH / 2:
            continue
        placed.append((round(x, 1), text))
    return placed[::-1]


def _chart_title(chart: Chart) -> str:
    values = {"days": chart.days, "total": chart.total}
    if chart.unit == "day":
        return (
            ngettext(
                "Microsoft codes per day per member, last %(days)d day: %(total)d in all",
                "Microsoft codes per day per member, last %(days)d days: %(total)d in all",
                chart.days,
            )
            % values
        )
    return (
        ngettext(
            "Microsoft codes per week per member, last %(days)d day: %(total)d in all",
            "Microsoft codes per week per member, last %(days)d days: %(total)d in all",
            chart.days,
        )
        % values
    )


def svg(chart: Chart) -> SafeString:
    """The chart as SVG markup. Built here, not in a template loop: 50 members x 53 weeks is 2,650 bars,
    which a template renders ten times slower. Every text is escaped."""
    parts = [
        f'<svg viewBox="0 0 {chart.width} {chart.height}" role="img" aria-labelledby="chart-title" class="bars">',
        f'<title id="chart-title">{escape(_chart_title(chart))}</title>',
    ]
    for y, label in chart.ticks:
        parts.append(
            f'<line class="grid" x1="{chart.left}" x2="{chart.right}" y1="{y}" y2="{y}"/>'
            f'<text class="tick" x="{chart.left - 6}" y="{y}" text-anchor="end" dominant-baseline="middle">'
            f"{escape(label)}</text>"
        )
    for bar in chart.bars:
        parts.append(
            f'<rect class="series-{bar.series}" x="{bar.x}" y="{bar.y}" width="{bar.width}" '
            f'height="{bar.height}"><title>{escape(bar.title)}</title></rect>'
        )
    for x, label in chart.labels:
        parts.append(f'<text class="tick" x="{x}" y="{chart.height - 8}" text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
