"""The publishing point: a review leaves its approval chain's last step and the employee sees it.

`publish` is the one place a review becomes published (the last chain step's pass, whatever the chain);
what has to happen before every publication (calibration, say) hooks in here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from shopkpi.appraisal.calibration import publishing as calibration_publishing
from shopkpi.appraisal.models import Review
from shopkpi.appraisal.reviews.review_scoring import recompute
from shopkpi.appraisal.reviews.review_steps import WorkflowError, item_names


@dataclass(frozen=True)
class Publishing:
    """How a step taken on many reviews publishes them (the GM's approve-all): all at one moment,
    whether the company has calibration targets, and, when it has, each cycle's distribution and the
    GM's confirmation of it (read once for all, not for each review: `calibration.publishing.Together`)."""

    at: dt.datetime
    targets: bool
    together: calibration_publishing.Together = field(default_factory=calibration_publishing.Together)


def publish(user: Any, review: Review, publishing: Publishing | None = None) -> dict[str, Any]:
    """Publish the review now, with a new appeal window; refused (WorkflowError review_incomplete) while
    a computed item has no value. What changed, for the step's audit entry."""
    recompute(review, save=False)
    if review.missing:
        template = review.template_version.compiled()
        raise WorkflowError(
            _("考核不完整（缺：%(items)s）；请退回人事。") % {"items": item_names(template, review.missing)},
            code="review_incomplete",
        )
    # calibration (校准): outside the target distribution, the GM confirms the figures first
    confirmed = (
        calibration_publishing.check_before_publishing(
            review, None if publishing is None else publishing.together
        )
        if publishing is None or publishing.targets
        else {}  # without a target nothing is asked (check_before_publishing's first answer)
    )
    now = timezone.now() if publishing is None else publishing.at
    if review.values_frozen_at is None:
        review.values_frozen_at = now  # a chain without HR's step freezes the values on publication
    review.status = Review.Status.PUBLISHED
    review.chain_step = None
    review.step_due = None
    review.published_at = now
    review.acknowledged_at = None
    review.appeal_deadline = now + dt.timedelta(days=review.cycle.appeal_days)
    return {"published_at": _when(now), "appeal_deadline": _when(review.appeal_deadline), **confirmed}


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat()
