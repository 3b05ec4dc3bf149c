"""GET /api/reviews and GET /api/reviews/{id}: only what the policy lets the caller see."""

from __future__ import annotations

from typing import TypeAlias

from django.http import HttpRequest
from ninja import P, PathEx, Query, Router
from pydantic import Field

from shopkpi.appraisal import policy
from shopkpi.appraisal.models import Review
from shopkpi.web.api import presenters
from shopkpi.web.api.errors import documented
from shopkpi.web.api.schemas import Key, Page, Paged, ReviewDetailOut, ReviewOut

router = Router(tags=["reviews"])

ReviewId: TypeAlias = PathEx[int, P(ge=1, le=2**63 - 1, description="The review's id.")]


class ReviewFilter(Page):
    period: Key | None = Field(None, description="Only this period, e.g. 2026-03.")
    status: Review.Status | None = Field(None, description="Only reviews at this step.")
    employee: Key | None = Field(None, description="Only this employee id (工号).")


@router.get("/reviews", operation_id="list_reviews", response={200: Paged[ReviewOut], **documented(401, 422)})
def list_reviews(request: HttpRequest, filters: Query[ReviewFilter]) -> Paged[ReviewOut]:
    user = request.auth  # type: ignore[attr-defined]
    rows = policy.visible_reviews(user).select_related("employee", "evaluator", "cycle")
    if filters.period is not None:
        rows = rows.filter(cycle__period=filters.period)
    if filters.status is not None:
        rows = rows.filter(status=filters.status)
    if filters.employee is not None:
        rows = rows.filter(employee__code=filters.employee)
    rows = rows.order_by("-cycle__period", "employee__code")
    return Paged[ReviewOut](
        items=[presenters.summary(user, r) for r in rows[filters.offset : filters.offset + filters.limit]],
        count=rows.count(),
    )


@router.get(
    "/reviews/{review_id}",
    operation_id="get_review",
    response={200: ReviewDetailOut, **documented(401, 404, 422)},
)
def get_review(request: HttpRequest, review_id: ReviewId) -> ReviewDetailOut:
    user = request.auth  # type: ignore[attr-defined]
    return presenters.detail(user, policy.review_for(user, review_id))
