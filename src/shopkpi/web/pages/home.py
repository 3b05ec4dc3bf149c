"""The home page of every role: 待我处理 (the reviews waiting for the user's own step, returned ones
first with their reason, each with its deadline and overdue flag), then the reviews they may see.
Both lists are paginated and filtered; HR and the GM see their dashboards between them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from shopkpi.appraisal import policy
from shopkpi.appraisal.accounts.roles import GM, HR, roles
from shopkpi.appraisal.models import Cycle, Review
from shopkpi.appraisal.peer_ratings import service as peer_ratings
from shopkpi.appraisal.reviews import todo
from shopkpi.appraisal.wording import labels
from shopkpi.web.pages.common.navigation import todo_counts
from shopkpi.web.pages.insight.dashboard_views import home_dashboards

TODO_PER_PAGE = 20
REVIEWS_PER_PAGE = 50


def todo_link(review: Review, kind: str) -> str:
    """Where the step is taken: HR's and the GM's own pages, else the review page's forms."""
    if kind in (todo.CHECK, todo.APPEAL):
        return reverse("hr-review", args=[review.pk])
    if kind == todo.APPROVE:
        return reverse("gm-review", args=[review.pk])
    return reverse("review", args=[review.pk]) + "#actions"


def _todos(request: HttpRequest) -> dict[str, Any]:
    filters = todo.Filters.from_query(request.GET)
    counts = todo_counts(request)
    found = todo.waiting(request.user, timezone.localdate(), filters)
    page = Paginator(found, TODO_PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    entries = [
        {
            "todo": found,
            "review": found.review,
            "step": labels.todo_step(found.kind),
            "button": labels.todo_button(found.kind),
            "link": todo_link(found.review, found.kind),
            "appeal_closed": found.kind == todo.SIGN
            and found.review.appeal_deadline is not None
            and found.review.appeal_deadline < now,
        }
        for found in map(todo.entry, page)
    ]
    # 互评 asked of the person: a page of their own, not the colleague's review
    peer_todos = list(peer_ratings.waiting(request.user)[:TODO_PER_PAGE])
    return {
        "todo_page": page,
        "todos": entries,
        "todo_filters": filters,
        "todo_query": _query(request.GET, "page"),
        "todo_counts": counts,
        "todo_kinds": [(kind, labels.todo_step(kind), counts[kind]) for kind in todo.KINDS],
        "filtered": filters != todo.Filters(),
        "peer_todos": peer_todos,
        "todo_heading": counts["total"] + len(peer_todos),
    }


def _seen(request: HttpRequest) -> tuple[QuerySet[Review], dict[str, str]]:
    period = str(request.GET.get("rperiod") or "")
    status = str(request.GET.get("rstatus") or "")
    search = str(request.GET.get("rq") or "").strip()
    reviews = policy.visible_reviews(request.user)
    if period:
        reviews = reviews.filter(cycle__period=period)
    if status in Review.Status.values:
        reviews = reviews.filter(status=status)
    if search:
        reviews = reviews.filter(Q(employee__name__icontains=search) | Q(employee__code__icontains=search))
    ordered = (
        reviews.select_related("employee", "employee__department", "employee__position", "cycle")
        .defer("values", "provenance", "result")
        .order_by("-cycle__period", "employee__code")
    )
    return ordered, {"period": period, "status": status, "search": search}


def _query(query: QueryDict, drop: str) -> str:
    """The page's query string without one list's page number (for that list's pager)."""
    kept = query.copy()
    kept.pop(drop, None)
    return kept.urlencode()


@login_required
def home(request: HttpRequest) -> HttpResponse:
    held = roles(request.user)
    seen, seen_filters = _seen(request)
    reviews = Paginator(seen, REVIEWS_PER_PAGE).get_page(request.GET.get("rpage"))
    context = {
        **_todos(request),
        "reviews": reviews,
        "review_filters": seen_filters,
        "review_query": _query(request.GET, "rpage"),
        "periods": list(Cycle.objects.order_by("-period").values_list("period", flat=True)),
        "statuses": [(value, labels.review_state(value)) for value in Review.Status.values],
        "roles": sorted(held),
        "sees_scores": bool(held & {HR, GM}),
    }
    dashboards = home_dashboards(request)  # HR and the GM: the dashboards between the lists
    if dashboards is not None:
        return render(request, "shopkpi/dashboard/home.html", {**context, **dashboards})
    return render(request, "shopkpi/home.html", context)
