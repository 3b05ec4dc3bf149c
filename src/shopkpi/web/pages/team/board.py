"""The team board (/team/): each report's step, live score and overdue flag, by team (evaluator).

An evaluator sees the reviews they evaluate; HR and the GM see every team (policy.visible_reviews).
One query for the rows (with everything a row shows selected with it), one aggregate for the
counts per team and step: the page costs the same few queries for ten reports or a thousand.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from shopkpi.appraisal import deadlines, policy
from shopkpi.appraisal.models import Cycle, Review
from shopkpi.appraisal.roles import employee_of, is_gm, is_hr
from shopkpi.web.pages.review.context import live_score

S = Review.Status
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


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    user = request.user
    reviews = _team_reviews(user)
    periods = list(Cycle.objects.order_by("-period").values_list("period", flat=True))
    period = _period(request, reviews, periods)
    only_overdue = request.GET.get("overdue") == "1"
    today = timezone.localdate()
    in_cycle = reviews.filter(cycle__period=period)
    rows = (
        in_cycle.select_related("employee__department", "employee__position", "evaluator", "cycle")
        .defer("values", "provenance")
        .order_by("evaluator__code", "employee__code")
    )
    counts: dict[int | None, dict[str, int]] = defaultdict(dict)
    for entry in in_cycle.order_by().values("evaluator_id", "status").annotate(n=Count("id")):
        counts[entry["evaluator_id"]][entry["status"]] = entry["n"]
    teams: dict[int | None, dict[str, Any]] = {}
    overdue_total = 0
    for review in rows:
        late = deadlines.overdue(review, today)
        overdue_total += late
        if only_overdue and not late:
            continue
        team = teams.get(review.evaluator_id)
        if team is None:
            team = teams[review.evaluator_id] = {
                "evaluator": review.evaluator,
                "rows": [],
                "overdue": 0,
                "steps": [(step.label, counts[review.evaluator_id].get(step, 0)) for step in STEPS],
                "size": sum(counts[review.evaluator_id].values()),
            }
        team["overdue"] += late
        shown = policy.sees_supervisor_part(user, review)
        team["rows"].append(
            {
                "review": review,
                "due": deadlines.due_date(review),
                "overdue": late,
                "live": live_score(review) if shown else None,
                "grade": review.grade if shown else "",
                "may_rate": policy.refusal(user, review, "rate") is None,
            }
        )
    ordered = sorted(
        teams.values(), key=lambda t: (t["evaluator"] is None, getattr(t["evaluator"], "code", ""))
    )
    return render(
        request,
        "shopkpi/team/board.html",
        {
            "teams": ordered,
            "periods": periods,
            "period": period,
            "only_overdue": only_overdue,
            "overdue_total": overdue_total,
            "all_teams": is_hr(user) or is_gm(user),
            "next": request.get_full_path(),
        },
    )
