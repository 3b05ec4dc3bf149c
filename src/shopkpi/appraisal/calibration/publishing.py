"""Publishing against the target distribution: a warning with the figures, which the GM confirms.

`check_before_publishing(review)` is called where a result becomes published (the GM's approval): when
the company's or the review's department's grade distribution of the cycle is outside HR's target, and
the GM has not confirmed these figures for the cycle, it raises `OutsideTarget` (a WorkflowError, 409)
whose message gives the figures; nothing is published. `confirm(user, cycle)` records the GM's
confirmation of the cycle's figures as they are (audited); approvals then go through and each names the
confirmation in its audit entry. Figures that change after the confirmation (a calibration, a score
changed) need a new one. Without targets, or inside them, nothing is asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit, policy
from shopkpi.appraisal.accounts.roles import is_gm
from shopkpi.appraisal.calibration import distribution
from shopkpi.appraisal.models import CalibrationTarget, Cycle, DistributionConfirmation, Review
from shopkpi.appraisal.reviews.review_steps import WorkflowError, actor_name, listed
from shopkpi.scorecard.numbers import round_half_up


class OutsideTarget(WorkflowError):
    """The distribution is outside the target and the GM has not confirmed these figures."""

    code = "distribution_outside_target"


def check_before_publishing(review: Review, together: Together | None = None) -> dict[str, Any]:
    """{} when the review may be published without a word; {"distribution_confirmed": id} when it is
    published under the GM's confirmation of figures outside the target; else OutsideTarget.

    `together`: a step taken on many reviews at once (the GM's approve-all) reads each cycle's
    distribution and confirmation once for all of them, with the same answers."""
    if together is not None:
        found, confirmation = together.figures(review)
    else:
        if not CalibrationTarget.objects.exists():
            return {}  # no target: one query, and approvals cost what they did
        found = distribution.of_cycle(review.cycle, with_reviews=False).figures_for(
            review.employee.department_id
        )
        confirmation = confirmed(review.cycle, found) if found else None
    if not found:
        return {}
    if confirmation is None:
        raise OutsideTarget(
            _(
                "等级分布超出校准目标：%(figures)s。请先在校准页查看并确认按此分布发布（或先校准等级），再批准。"
            )
            % {"figures": words(found)}
        )
    return {"distribution_confirmed": confirmation.pk}


class Together:
    """`check_before_publishing` for many reviews published in one step: each cycle's distribution (three
    queries) and the GM's latest confirmation of it (one) read once, instead of once for each review,
    which made approving a cycle quadratic. The figures are those the database holds, as each review's
    own approval would read them: the step calls `forget` after it saves a review whose grade changed
    (the next review is then checked against the new figures, as approving them in turn would)."""

    def __init__(self) -> None:
        self._cycles: dict[int, tuple[distribution.CycleDistribution, DistributionConfirmation | None]] = {}

    def figures(self, review: Review) -> tuple[list[dict[str, object]], DistributionConfirmation | None]:
        """The review's figures outside the target, and the confirmation that covers them (or None)."""
        known = self._cycles.get(review.cycle_id)
        if known is None:
            latest = (
                DistributionConfirmation.objects.filter(cycle=review.cycle)
                .order_by("-confirmed_at", "-pk")
                .first()
            )
            known = self._cycles[review.cycle_id] = (
                distribution.of_cycle(review.cycle, with_reviews=False),
                latest,
            )
        found = known[0].figures_for(review.employee.department_id)
        return found, _covering(known[1], found) if found else None

    def forget(self) -> None:
        self._cycles.clear()


def confirmed(cycle: Cycle, found: list[dict[str, object]]) -> DistributionConfirmation | None:
    """The GM's latest confirmation of the cycle when it covers every one of these figures."""
    latest = DistributionConfirmation.objects.filter(cycle=cycle).order_by("-confirmed_at", "-pk").first()
    return _covering(latest, found)


def _covering(
    latest: DistributionConfirmation | None, found: list[dict[str, object]]
) -> DistributionConfirmation | None:
    if latest is None or any(f not in latest.figures for f in found):
        return None
    return latest


def confirm(user: Any, cycle: Cycle, reason: str = "") -> DistributionConfirmation:
    """The GM confirms publishing the cycle with its distribution as it is now (audited)."""
    if not is_gm(user):
        raise policy.ActionRefused(_("只有总经理可以确认按超出目标的等级分布发布。"), code="wrong_party")
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        found = distribution.of_cycle(locked, with_reviews=False).figures_all()
        if not found:
            raise WorkflowError(
                _("考核期 %(period)s 的等级分布没有超出校准目标，不需要确认。") % {"period": locked.period},
                code="distribution_inside_target",
            )
        made = DistributionConfirmation.objects.create(
            cycle=locked, figures=found, reason=str(reason).strip(), confirmed_by=user
        )
        audit.record(
            actor_name(user),
            "calibration.confirm",
            object_type="cycle",
            object_id=locked.period,
            after={"figures": words(found), "confirmation": made.pk},
            reason=made.reason,
        )
    return made


def words(found: list[dict[str, object]]) -> str:
    """The figures as a sentence: 全公司 优秀 3/10 = 30.0%（目标至多 20%）…"""
    return listed(word(f) for f in found)


def word(found: dict[str, object]) -> str:
    count, total = int(str(found["count"])), int(str(found["total"]))
    share = round_half_up(Decimal(count) * 100 / Decimal(total), 1) if total else Decimal("0.0")
    scope = str(found["scope"]) or _("全公司")
    parts = {
        "scope": scope,
        "grade": found["grade"],
        "count": count,
        "total": total,
        "share": share,
        "bound": found["bound"],
    }
    if found["outside"] == distribution.ABOVE:
        return _("%(scope)s %(grade)s %(count)s/%(total)s = %(share)s%%（目标至多 %(bound)s%%）") % parts
    return _("%(scope)s %(grade)s %(count)s/%(total)s = %(share)s%%（目标至少 %(bound)s%%）") % parts


@dataclass(frozen=True)
class PublishWarning:
    """What a page shows before publishing: the cycle, its figures outside the target in words, and
    the GM's confirmation of them if given."""

    cycle: Cycle
    figures: str
    confirmation: DistributionConfirmation | None


def warnings(cycles: Iterable[Cycle]) -> list[PublishWarning]:
    """The cycles whose distribution is outside the target (one query when no target is set)."""
    if not CalibrationTarget.objects.exists():
        return []
    found = []
    for cycle in cycles:
        figures = distribution.of_cycle(cycle, with_reviews=False).figures_all()
        if figures:
            found.append(PublishWarning(cycle, words(figures), confirmed(cycle, figures)))
    return found
