"""Long lists are shown a page at a time and say how much there is ("51–100 of 120"), with links that
keep the list's filters. Shared by the apps' list views; `templates/_pager.html` draws it."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window

PER_PAGE = 50


def page_of(request, rows, per_page: int = PER_PAGE) -> Page:
    return page_of_query(request.GET, rows, per_page)


def page_of_query(query, rows, per_page: int = PER_PAGE) -> Page:
    """The page a query string asks for (?page=N), and the total, in one query: each row carries the
    count of them all (a window over the whole list, taken before the page is cut). A number past
    the end gives the last page and anything that is not a number the first, so a stale or mistyped
    link still shows the list."""
    paginator = Paginator(rows, per_page)
    number = _number(query.get("page"))
    found = _slice(rows.annotate(page_total=Window(Count("*"))), number, per_page)
    if found:
        paginator.count = found[0].page_total
    elif number > 1:  # past the end: count them, and show the last page
        number = paginator.num_pages
        found = _slice(rows, number, per_page)
    else:
        paginator.count = 0
    return Page(found, number, paginator)


def _number(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def _slice(rows, number: int, per_page: int) -> list:
    return list(rows[(number - 1) * per_page : number * per_page])
