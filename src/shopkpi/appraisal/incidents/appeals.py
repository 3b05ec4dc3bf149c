"""Appeals on one incident (奖惩记录申诉): the `incident` kind of appeal point.

On the incident's page the employee appeals it with a claim:

- `remove` (这条不该记): the incident did not happen, or is not theirs;
- `amount` (次数/金额不对): it happened, but counts `claimed` (a number above 0, below the recorded one
  or above it) instead of what was recorded.

The point's `ref` is checked when the appeal is filed and keeps what HR needs: `incident` (its id),
`kind`, `occurred_on`, `amount` (as recorded) and, for `amount`, `claimed`. HR decides each point:
`remove` (the incident no longer counts), `change` (it counts `claimed`) or `refused` (it stays as
recorded). An accepting decision changes the incident (audited, with HR's reason, although HR's check
has frozen the month: the appeal is the way to change it then), and the appellant's values are read
again with the incidents laid over them, so the month is scored again and the difference shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shopkpi.appraisal import audit
from shopkpi.appraisal.models import Incident
from shopkpi.appraisal.reviews.appeal_points import PointKind
from shopkpi.appraisal.reviews.review_steps import WorkflowError, actor_name
from shopkpi.scorecard.numbers import format_decimal, plain
from shopkpi.scorecard.periods import Period

REMOVE = "remove"
AMOUNT = "amount"
CHANGE = "change"


def _checked_ref(review: Any, ref: Mapping[str, Any], claim: str) -> dict[str, Any]:
    span = Period.parse(review.cycle.period)
    try:
        number = int(str(ref.get("incident")))
    except ValueError:
        number = 0
    incident = Incident.objects.filter(
        pk=number,
        employee_id=review.employee_id,
        status=Incident.Status.ACTIVE,
        occurred_on__gte=span.start,
        occurred_on__lte=span.end,
    ).first()
    if incident is None:
        raise WorkflowError(
            _("这次考核里没有这条奖惩记录（可能已被删除）；请在考核页面上选择要申诉的记录。"),
            code="unknown_incident",
        )
    found: dict[str, Any] = {
        "incident": incident.pk,
        "kind": incident.kind,
        "occurred_on": incident.occurred_on.isoformat(),
        "amount": _text(incident.amount),
    }
    if claim == AMOUNT:
        try:
            claimed = Decimal(str(ref.get("claimed", "")).strip())
        except InvalidOperation:
            claimed = None
        if claimed is None or not claimed.is_finite() or claimed <= 0 or claimed == incident.amount:
            raise WorkflowError(
                _(
                    "请写出您认为应记的次数/金额（大于 0，且与记录的 %(amount)s 不同）；整条不该记请选“这条不该记”。"
                )
                % {"amount": _text(incident.amount)},
                code="bad_claimed_amount",
            )
        if claimed != claimed.quantize(Decimal("0.01")):
            raise WorkflowError(_("次数/金额最多两位小数。"), code="bad_claimed_amount")
        found["claimed"] = _text(claimed)
    return found


def _decided(user: Any, review: Any, points: Sequence[Any]) -> None:
    """Each accepted point changes its incident (audited); then the appellant's values are read again
    (the shop data with the month's row decisions, the incidents laid over it)."""
    from shopkpi.appraisal.incidents.records import described
    from shopkpi.appraisal.reviews.row_appeals import refresh_values

    for point in points:
        incident = Incident.objects.select_related("employee").get(pk=point.ref["incident"])
        before = described(incident)
        if point.decision == CHANGE:
            claimed = point.ref.get("claimed")
            if claimed is None:
                raise WorkflowError(
                    _("员工没有写出应记的次数/金额，不能按申诉修改；请选择删除这条记录或不予支持。"),
                    code="bad_decision",
                )
            incident.amount = Decimal(str(claimed))
            action = "incident.change"
        else:
            incident.status = Incident.Status.REMOVED
            incident.removed_reason = point.reason
            action = "incident.remove"
        incident.save()
        audit.record(
            actor_name(user),
            action,
            object_type="incident",
            object_id=incident.pk,
            before=before,
            after=None if action == "incident.remove" else described(incident),
            reason=_("申诉处理：%(reason)s") % {"reason": point.reason},
        )
    refresh_values(review)


def _text(value: Decimal) -> str:
    return format_decimal(plain(Decimal(value)))


INCIDENT = PointKind(
    name="incident",
    label=gettext_lazy("奖惩记录"),
    claims={REMOVE: gettext_lazy("这条不该记"), AMOUNT: gettext_lazy("次数/金额不对")},
    decisions={REMOVE: gettext_lazy("删除这条记录"), CHANGE: gettext_lazy("按申诉改次数/金额")},
    checked_ref=_checked_ref,
    decided=_decided,
)
