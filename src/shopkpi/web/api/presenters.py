"""A review as the caller may see it: the policy decides what is hidden, this module only obeys.

The employee sees score, grade, pay, the supervisor's ratings, comments and interview only from
publication on (policy.sees_supervisor_part); the evaluator sees the self-review once it is
submitted (policy.sees_self_part).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shopkpi.appraisal import policy
from shopkpi.appraisal.models import Interview, Rating, Review
from shopkpi.web.api.schemas import (
    AdjustmentOut,
    AppealOut,
    CalibrationOut,
    InterviewOut,
    ItemOut,
    OverrideOut,
    RatingOut,
    ReviewDetailOut,
    ReviewOut,
    TemplateRef,
    TransitionOut,
)
from shopkpi.web.pages.common import explanations

# a reason the employee reads before publication: the one addressed to them
_REASONS_FOR_THE_EMPLOYEE = frozenset({"return_to_self"})


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _username(user: Any) -> str:
    return "" if user is None else str(user.get_username())


def summary(user: Any, review: Review) -> ReviewOut:
    """The list view of a review (employee, evaluator and cycle selected with it)."""
    shown = policy.sees_supervisor_part(user, review)
    return ReviewOut(
        id=review.pk,
        employee=review.employee.code,
        employee_name=review.employee.name,
        period=review.cycle.period,
        status=review.status,
        evaluator=None if review.evaluator is None else review.evaluator.code,
        score=_text(review.score) if shown else None,
        grade=_text(review.grade) if shown else None,
        version=review.version,
    )


def _items(review: Review, supervisor_part: bool, self_part: bool) -> list[ItemOut]:
    results = {
        str(entry.get("key")): entry for entry in review.result.get("items", []) if isinstance(entry, dict)
    }
    items = []
    for item in review.template_version.compiled().items:
        entry = results.get(item.key, {})
        hidden = item.is_rated and not supervisor_part
        items.append(
            ItemOut(
                key=item.key,
                name=item.name,
                weight=_text(item.weight),
                rated=item.is_rated,
                value=None if hidden else _text(entry.get("value")),
                band=_text(entry.get("band")),
                rating=None if hidden else _text(entry.get("rating")),
                points=None if hidden else _text(entry.get("points")),
                self_rating=_text(entry.get("self_rating")) if self_part else None,
                self_points=_text(entry.get("self_points")) if self_part else None,
                missing=_missing(entry),
                explanation=None if hidden else (explanations.words(entry.get("explanation")) or None),
            )
        )
    return items


def _missing(entry: dict[str, Any]) -> str | None:
    """Why the item has no points, in the reader's language (from the explanation's reason code; a
    result stored by an older version has only the engine's English sentence)."""
    if not entry.get("missing"):
        return None
    stored = entry.get("explanation")
    if isinstance(stored, dict) and isinstance(stored.get("missing"), dict):
        return explanations.reason(stored["missing"])
    return explanations.reason(str(entry["missing"]))


def _rating(rating: Rating) -> RatingOut:
    return RatingOut(
        item_key=rating.item_key,
        rater=rating.rater,
        value=format(rating.value, "f"),
        level=rating.level,
        comment=rating.comment,
        rated_by=None if rating.rated_by is None else _username(rating.rated_by),
        rated_at=rating.rated_at,
    )


def _interview(review: Review) -> InterviewOut | None:
    try:
        interview = review.interview
    except Interview.DoesNotExist:
        return None
    return InterviewOut(
        held_on=interview.held_on,
        strengths=interview.strengths,
        improvements=interview.improvements,
        plan=interview.plan,
        employee_response=interview.employee_response,
        recorded_by=_username(interview.recorded_by),
        recorded_at=interview.recorded_at,
    )


def detail(user: Any, review: Review) -> ReviewDetailOut:
    """Everything about the review that the caller may see."""
    supervisor_part = policy.sees_supervisor_part(user, review)
    self_part = policy.sees_self_part(user, review)
    version = review.template_version
    ratings = [
        _rating(r)
        for r in review.ratings.select_related("rated_by").order_by("rater", "item_key")
        if (supervisor_part if r.rater == Rating.Rater.SUPERVISOR else self_part)
    ]
    return ReviewDetailOut(
        **summary(user, review).model_dump(),
        template=TemplateRef(id=version.template_id, version=version.version, name=version.name),
        pay=_text(review.pay) if supervisor_part else None,
        pay_kind=review.pay_kind if supervisor_part else None,
        self_assessment=review.self_assessment if self_part else None,
        supervisor_comment=review.supervisor_comment if supervisor_part else None,
        values={str(k): _text(v) for k, v in review.values.items()},
        missing=[str(m) for m in review.missing],
        missing_values=[str(m) for m in review.result.get("missing_values", [])],
        items=_items(review, supervisor_part, self_part),
        ratings=ratings,
        interview=_interview(review) if supervisor_part else None,
        overrides=[
            OverrideOut(
                name=o.name,
                value=format(o.value, "f"),
                previous=o.previous,
                reason=o.reason,
                created_by=_username(o.created_by),
                created_at=o.created_at,
            )
            for o in review.overrides.select_related("created_by").order_by("created_at", "id")
        ],
        transitions=[
            TransitionOut(
                from_status=t.from_status,
                to_status=t.to_status,
                action=t.action,
                reason=t.reason if supervisor_part or t.action in _REASONS_FOR_THE_EMPLOYEE else None,
                actor=_username(t.actor),
                at=t.at,
            )
            for t in review.transitions.select_related("actor")
        ],
        appeals=[
            AppealOut(
                item_key=a.item_key,
                reason=a.reason,
                status=a.status,
                outcome=a.outcome,
                created_at=a.created_at,
                handled_by=None if a.handled_by is None else _username(a.handled_by),
                handled_at=a.handled_at,
            )
            for a in review.appeals.select_related("handled_by").order_by("created_at", "id")
        ],
        adjustments=[
            AdjustmentOut(
                amount=format(a.amount, "f"),
                reason=a.reason,
                created_by=_username(a.created_by),
                created_at=a.created_at,
            )
            for a in review.adjustments.select_related("created_by").order_by("created_at", "id")
        ]
        if supervisor_part
        else [],
        calibration=_calibration(review) if supervisor_part else None,
        submitted_self_at=review.submitted_self_at,
        published_at=review.published_at,
        acknowledged_at=review.acknowledged_at,
        appeal_deadline=review.appeal_deadline,
        actions=policy.allowed_actions(user, review),
    )


def _calibration(review: Review) -> CalibrationOut | None:
    """The calibration the review's result records (review_scoring), if any."""
    found = (review.result or {}).get("calibration")
    return None if not found else CalibrationOut(**found)
