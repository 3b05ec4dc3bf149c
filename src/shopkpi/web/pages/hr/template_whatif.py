"""What-if: each employee's score and pay on last month's data under the old and the new version of a
template, and the change in total pay cost — computed, never saved.

"Last month's data" are the reviews of the last closed (archived) cycle scored with this template
(any of its versions), never the month still open, whose values are still moving; the page says which
month it is. What is stored on them is used: their values (metrics, targets, inputs, base salary),
HR's overrides, and the supervisor's and self ratings. Both versions score the same inputs through
`review_scoring.recompute(save=False)` (the engine, pro-rating for a partial month, consequence
rules), with no fresh look-up in the shop data, so the only difference is the template. Pay
adjustments do not depend on the template and are left out of both totals.

Only the reviews the user may see (policy.visible_reviews) are shown and summed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shopkpi.appraisal import policy
from shopkpi.appraisal.models import Cycle, Review, TemplateVersion
from shopkpi.appraisal.pay import pay_totals
from shopkpi.appraisal.reviews.review_scoring import recompute
from shopkpi.scorecard import Template

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Outcome:
    score: Decimal | None
    grade: str
    pay: Decimal | None
    missing: bool
    pay_kind: str | None  # performance | wage | None: the template has no pay


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    old: Outcome
    new: Outcome

    @property
    def score_change(self) -> Decimal | None:
        if self.old.score is None or self.new.score is None:
            return None
        return self.new.score - self.old.score

    @property
    def pay_change(self) -> Decimal | None:
        if self.old.pay is None and self.new.pay is None:
            return None
        return (self.new.pay or Decimal(0)) - (self.old.pay or Decimal(0))


@dataclass(frozen=True)
class WhatIf:
    period: str | None
    rows: list[Row]

    @property
    def old_total(self) -> Decimal:
        return sum((r.old.pay or Decimal(0) for r in self.rows), Decimal(0)).quantize(CENT)

    @property
    def new_total(self) -> Decimal:
        return sum((r.new.pay or Decimal(0) for r in self.rows), Decimal(0)).quantize(CENT)

    @property
    def wage(self) -> bool:
        """Whether the pay summed is a whole wage (pay.kind wage) in either version: the totals say so,
        as every total of pay does (pay_totals)."""
        return any(pay_totals.WAGE in (r.old.pay_kind, r.new.pay_kind) for r in self.rows)

    @property
    def change(self) -> Decimal:
        return self.new_total - self.old_total


def _as_version(template: Template, like: TemplateVersion | None, template_id: str) -> TemplateVersion:
    """An unsaved version carrying the compiled template (recompute reads review.template_version)."""
    version = TemplateVersion(
        template_id=template_id,
        version=0 if like is None else like.version,
        name=template.name,
        text=template.text,
    )
    version._compiled = template
    return version


def _score(review: Review, version: TemplateVersion) -> Outcome:
    copy = Review(**{f.attname: getattr(review, f.attname) for f in Review._meta.concrete_fields})
    copy.values = dict(review.values)
    copy.provenance = dict(review.provenance)
    copy.employee = review.employee
    copy.cycle = review.cycle
    copy.template_version = version
    recompute(copy, save=False)
    return Outcome(copy.score, copy.grade, copy.pay, bool(copy.missing), copy.pay_kind)


def what_if(
    user: Any, template_id: str, old: Template, new: Template, base: TemplateVersion | None
) -> WhatIf:
    scored = policy.visible_reviews(user).filter(
        template_version__template_id=template_id, cycle__status=Cycle.Status.ARCHIVED
    )
    period = scored.order_by("-cycle__period").values_list("cycle__period", flat=True).first()
    if period is None:
        return WhatIf(None, [])
    reviews = (
        scored.filter(cycle__period=period).select_related("employee", "cycle").order_by("employee__code")
    )
    old_version = _as_version(old, base, template_id)
    new_version = _as_version(new, None, template_id)
    rows = [
        Row(r.employee.code, r.employee.name, _score(r, old_version), _score(r, new_version)) for r in reviews
    ]
    return WhatIf(period, rows)
