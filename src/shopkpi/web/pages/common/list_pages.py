"""What every list page shares: a page of its rows, the page numbers, and its filters kept in the page
links, so no page carries the whole company (the links render through shopkpi/hr/_pages.html)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict


def page_of(
    request: HttpRequest, rows: Any, per_page: int, *, asked: QueryDict | None = None
) -> tuple[Page[Any], dict[str, Any]]:
    """The page of `rows` (a query set, ordered) the request asks for (?page=), and the context its
    links need: page, page_numbers (elided) and filters (the query string without the page number).
    `asked` stands for the request's query string when the page answers a form (a refusal shown)."""
    asked = request.GET if asked is None else asked
    page = Paginator(rows, per_page).get_page(asked.get("page"))
    kept = asked.copy()
    kept.pop("page", None)
    numbers = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page, {"page": page, "page_numbers": numbers, "filters": kept.urlencode()}
