"""Appeals on one spot-checked case (抽查样本申诉): the `spot_check` kind of appeal point.

Under the item its spot checks rate, the employee appeals one scored case with a claim:

- `unfair` (这个样本打分不公): the case was scored unfairly;
- `not_mine` (这个客户不是我接待的): the customer or order was not theirs to serve.

The point's `ref` is checked when the appeal is filed and keeps what HR needs: `case` (its id), `week`,
`key` (the buyer, or `shop/order number`) and `score` (the case's score as it counted). HR decides each
point: `drop` (不计这个样本: the case no longer counts in the month's average, with HR's reason) or
`refused` (it stays). The review is then scored again by the appeal's decision (the average of the
cases that still count is the item's rating).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shopkpi.appraisal import audit
from shopkpi.appraisal.models import SpotCheckCase
from shopkpi.appraisal.reviews.appeal_points import PointKind
from shopkpi.appraisal.reviews.review_steps import WorkflowError, actor_name
from shopkpi.appraisal.spot_checks.feed import case_score

UNFAIR = "unfair"
NOT_MINE = "not_mine"
DROP = "drop"


def _checked_ref(review: Any, ref: Mapping[str, Any], claim: str) -> dict[str, Any]:
    try:
        number = int(str(ref.get("case")))
    except ValueError:
        number = 0
    case = (
        SpotCheckCase.objects.filter(pk=number, draw__review=review, dropped_at=None)
        .select_related("draw")
        .first()
    )
    spot = review.template_version.compiled().spot_check
    score = None if case is None or spot is None else case_score(case.scores, spot.checklist)
    if case is None or score is None:
        raise WorkflowError(
            _("这次考核里没有这个已打分的抽查样本；请在考核页面的抽查记录里选择要申诉的样本。"),
            code="unknown_case",
        )
    return {"case": case.pk, "week": case.draw.week, "key": case.key, "score": str(score)}


def _decided(user: Any, review: Any, points: Sequence[Any]) -> None:
    """Each accepted point leaves its case out of the month's average (audited)."""
    now = timezone.now()
    for point in points:
        case = SpotCheckCase.objects.select_related("draw").get(pk=point.ref["case"])
        case.dropped_reason = point.reason
        case.dropped_at = now
        case.save(update_fields=["dropped_reason", "dropped_at"])
        audit.record(
            actor_name(user),
            "spot_check.drop",
            object_type="review",
            object_id=review.pk,
            before={"week": case.draw.week, "case": case.key, "scores": case.scores},
            reason=_("申诉处理：%(reason)s") % {"reason": point.reason},
        )


SPOT_CHECK = PointKind(
    name="spot_check",
    label=gettext_lazy("抽查样本"),
    claims={UNFAIR: gettext_lazy("这个样本打分不公"), NOT_MINE: gettext_lazy("这个客户不是我接待的")},
    decisions={DROP: gettext_lazy("不计这个样本")},
    checked_ref=_checked_ref,
    decided=_decided,
)
