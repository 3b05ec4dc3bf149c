"""A grade adjusted in calibration (校准调整), before the result is published.

HR or the GM (not on their own review) sets a review's grade to another of its template's grades, with a
reason, while the review waits for HR or the GM. What it does: the grade changes and the score stays;
the review is scored again with that grade, so pay follows the grade only where the template's pay reads
`grade`, and so do the consequence rules that read `grade`. The adjustment is a step of the review (a
Transition `calibrate` and an audit entry with the grade and pay before and after, and the reason), and
the employee sees it on their review once published: "校准调整", the grade before and the reason.
Calibrating back to the grade the score earns undoes it (recorded the same way).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shopkpi.appraisal import policy
from shopkpi.appraisal.models import GradeCalibration, Review
from shopkpi.appraisal.reviews.review_scoring import recompute
from shopkpi.appraisal.reviews.review_steps import WorkflowError, locked_current, record_step
from shopkpi.scorecard.numbers import format_decimal, plain


def calibrate(
    user: Any, review: Review, grade: str, reason: str, *, expected_version: int | None = None
) -> Review:
    """Set the review's grade in calibration; returns the review as saved."""
    policy.require_calibration(user, review)
    expected = review.version if expected_version is None else expected_version
    grade = str(grade).strip()
    reason = str(reason).strip()
    with transaction.atomic():
        fresh = locked_current(review, expected)
        policy.require_calibration(user, fresh)
        names = [g.name for g in fresh.template_version.compiled().grades]
        if grade not in names:
            raise WorkflowError(
                _("“%(grade)s”不是这份考核表的等级（可选：%(grades)s）。")
                % {"grade": grade, "grades": "、".join(names) or "—"},
                code="unknown_grade",
            )
        if not reason:
            raise WorkflowError(_("校准调整等级需要写明原因。"), code="reason_missing")
        if fresh.score is None:
            raise WorkflowError(_("考核还没有完整的得分，不能校准等级。"), code="review_incomplete")
        if grade == fresh.grade:
            raise WorkflowError(
                _("等级已经是“%(grade)s”，什么也不会改变。") % {"grade": grade}, code="same_grade"
            )
        before = {"grade": fresh.grade, "pay": _text(fresh.pay)}
        GradeCalibration.objects.create(
            review=fresh, grade=grade, previous=fresh.grade, reason=reason, created_by=user
        )
        recompute(fresh, save=False)
        fresh.version += 1
        fresh.save()
        record_step(
            user,
            fresh,
            "calibrate",
            from_status=fresh.status,
            reason=reason,
            before=before,
            after={"grade": fresh.grade, "pay": _text(fresh.pay)},
        )
    review.refresh_from_db()
    return fresh


def _text(value: Any) -> str | None:
    return None if value is None else format_decimal(plain(value))
