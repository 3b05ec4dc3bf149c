"""The team board (/team/): each report's step, live score and overdue flag, by team (evaluator).

An evaluator sees the reviews they evaluate; HR and the GM see every team (policy.visible_reviews).
A page of rows at a time (with everything a row shows selected with it), filtered by step, department,
overdue or a 工号 or name; one aggregate for the counts per team and step of the teams on the page:
the page costs the same few queries, and about the same size, for ten reports or thousands.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from shopkpi.appraisal import policy
from shopkpi.appraisal.accounts.roles import employee_of, is_gm, is_hr
from shopkpi.appraisal.models import Cycle, Department, Review
from shopkpi.appraisal.reviews import deadlines, todo
from shopkpi.web.pages.common.list_pages import page_of
from shopkpi.web.pages.review.context import live_score

S = Review.Status
PER_PAGE = 100
STEPS = [
    S.PENDING_SELF,
    S.PENDING_SUPERVISOR,
    S.PENDING_HR,
    S.PENDING_GM,
    S.PUBLISHED,
    S.ACKNOWLEDGED,
    S.APPEALED,
]


def _team_reviews(user: Any) -> QuerySet[Review]:
    """HR and GM: every team; an evaluator: the reviews they evaluate."""
    reviews = policy.visible_reviews(user)
    if is_hr(user) or is_gm(user):
        return reviews
    me = employee_of(user)
    return reviews.none() if me is None else reviews.filter(evaluator=me)


def _period(request: HttpRequest, reviews: QuerySet[Review], periods: list[str]) -> str | None:
    asked = str(request.GET.get("period") or "")
    if asked in periods:
        return asked
    ordered = reviews.order_by("-cycle__period").values_list("cycle__period", flat=True)
    return ordered.filter(cycle__status=Cycle.Status.OPEN).first() or ordered.first()


def _shown(request: HttpRequest, in_cycle: QuerySet[Review], today: dt.date) -> QuerySet[Review]:
    """The rows the filters keep: a step, a department, overdue only, a 工号 or name (of the employee or
    their evaluator)."""
    shown = in_cycle
    status = request.GET.get("status", "")
    if status in S.values:
        shown = shown.filter(status=status)
    department = request.GET.get("department", "")
    if department.isdigit():
        shown = shown.filter(employee__department_id=int(department))
    if request.GET.get("overdue") == "1":
        shown = shown.filter(deadlines.overdue_reviews(today))
    query = request.GET.get("q", "").strip()
    if query:
        shown = shown.filter(
            Q(employee__code__icontains=query)
            | Q(employee__name__icontains=query)
            | Q(evaluator__code__icontains=query)
            | Q(evaluator__name__icontains=query)
        )
    return shown


def _review_path() -> Callable[[int], str]:
    """The path of a review's page (`reverse("review", args=[pk])`) for hundreds of reviews: the URL conf
    is resolved once, for review 0, and each id put in its place."""
    head, tail = reverse("review", args=[0]).rsplit("/0/", 1)
    return lambda pk: f"{head}/{pk}/{tail}"


def _to_rate(user: Any, today: dt.date, period: str | None) -> list[dict[str, Any]]:
    """The ratings waiting for the user in the period, in their to-do order: each review's id, its
    employee's name and whether it is overdue, read as values (a supervisor of a quarter of a company of
    thousands has hundreds: no review, employee, department, position, evaluator and cycle each)."""
    waiting = todo.waiting(user, today, todo.Filters(kind=todo.RATE, period=period or ""))
    if waiting.query.is_empty():  # nothing can wait for them (`none()`, without the annotations)
        return []
    path = _review_path()
    return [
        {"url": path(pk), "name": name, "overdue": bool(overdue)}
        # todo_overdue: an annotation of todo.waiting, which the type checker does not see
        for pk, name, overdue in waiting.values_list(*["pk", "employee__name", "todo_overdue"])
    ]


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """A page of the period's rows (PER_PAGE, by team and 工号) with their teams' counts; the same few
    queries for a team of ten or a company of thousands."""
    user = request.user
    reviews = _team_reviews(user)
    periods = list(Cycle.objects.order_by("-period").values_list("period", flat=True))
    period = _period(request, reviews, periods)
    today = timezone.localdate()
    in_cycle = reviews.filter(cycle__period=period)
    rows = (
        _shown(request, in_cycle, today)
        .select_related("employee__department", "employee__position", "evaluator", "cycle")
        .defer("values", "provenance")
        .order_by(
            F("evaluator__code").asc(nulls_first=True), "employee__code"
        )  # no evaluator first, on every database
    )
    page, links = page_of(request, rows, PER_PAGE)
    on_page = {review.evaluator_id for review in page}
    counts: dict[int | None, dict[str, int]] = defaultdict(dict)
    late: dict[int | None, int] = defaultdict(int)
    teams_on_page = Q(evaluator_id__in=on_page - {None})
    if None in on_page:
        teams_on_page |= Q(evaluator__isnull=True)
    team_rows = in_cycle.filter(teams_on_page)
    for entry in (
        team_rows.order_by()
        .values("evaluator_id", "status")
        .annotate(n=Count("id"), late=Count("id", filter=deadlines.overdue_reviews(today)))
    ):
        counts[entry["evaluator_id"]][entry["status"]] = entry["n"]
        late[entry["evaluator_id"]] += entry["late"]
    teams: dict[int | None, dict[str, Any]] = {}
    path = _review_path()
    for review in page:
        team = teams.get(review.evaluator_id)
        if team is None:
            team = teams[review.evaluator_id] = {
                "evaluator": review.evaluator,
                "rows": [],
                "overdue": late[review.evaluator_id],
                "steps": [(step.label, counts[review.evaluator_id].get(step, 0)) for step in STEPS],
                "size": sum(counts[review.evaluator_id].values()),
            }
        shown = policy.sees_supervisor_part(user, review)
        team["rows"].append(
            {
                "review": review,
                "url": path(review.pk),
                "due": deadlines.due_date(review),
                "overdue": deadlines.overdue(review, today),
                "live": live_score(review) if shown else None,
                "grade": review.grade if shown else "",
                "may_rate": policy.allows(user, review, "rate"),
            }
        )
    return render(
        request,
        "shopkpi/team/board.html",
        {
            "teams": list(teams.values()),
            **links,
            "periods": periods,
            "period": period,
            "only_overdue": request.GET.get("overdue") == "1",
            "status": request.GET.get("status", ""),
            "statuses": [(step.value, step.label) for step in STEPS],
            "department": request.GET.get("department", ""),
            "departments": Department.objects.order_by("name"),
            "q": request.GET.get("q", "").strip(),
            "overdue_total": in_cycle.filter(deadlines.overdue_reviews(today)).count(),
            "all_teams": is_hr(user) or is_gm(user),
            "next": request.get_full_path(),
            # the ratings waiting for this evaluator in the period, on every page of the board
            "to_rate": _to_rate(user, today, period),
        },
    )
