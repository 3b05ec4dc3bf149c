"""The rule for totals of pay, in one place: every page, export and command that adds up pay calls it.

A review's pay is one of three things (`Review.pay_kind`, from the template's `pay.kind`):
- performance pay (绩效工资), paid on top of the base wage: the only pay a total of 绩效工资 sums;
- a whole wage by the template's design (整月工资, base included): summed apart and labelled so, never
  added into a total of 绩效工资;
- nothing: the template has no pay (本岗位不计绩效工资).

HR's pay adjustments (奖惩) are summed apart too. What payroll pays from the reviews (应发合计) is all
three: 绩效工资 + 整月工资 + 奖惩, which is the sum of the pay sheet's 合计 column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.db.models.fields.json import KT

from shopkpi.appraisal.models import PayAdjustment, Review

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
WAGE = "wage"  # a review whose pay is a whole wage; every other review's pay is performance pay (or none)


@dataclass(frozen=True)
class PayTotals:
    count: int = 0  # reviews counted
    performance: Decimal = ZERO  # Σ 绩效工资 (pay.kind performance)
    wage: Decimal = ZERO  # Σ 整月工资 (pay.kind wage), shown apart
    adjustments: Decimal = ZERO  # Σ 奖惩 (HR's pay adjustments, deductions negative)

    @property
    def performance_and_adjustments(self) -> Decimal:
        """绩效工资 + 奖惩: the performance pay with HR's adjustments."""
        return self.performance + self.adjustments

    @property
    def payable(self) -> Decimal:
        """应发合计: 绩效工资 + 整月工资 + 奖惩 (the pay sheet's 合计)."""
        return self.performance + self.wage + self.adjustments

    def __add__(self, other: PayTotals) -> PayTotals:
        return PayTotals(
            self.count + other.count,
            self.performance + other.performance,
            self.wage + other.wage,
            self.adjustments + other.adjustments,
        )


def _add(totals: dict[Any, PayTotals], key: Any, part: PayTotals) -> None:
    totals[key] = totals.get(key, PayTotals()) + part


def by(reviews: QuerySet[Review], field: str) -> dict[Any, PayTotals]:
    """The totals of `reviews` per value of `field` (a review field or path such as
    "employee__department__name" or "cycle__period"). Two narrow queries (each review's pay and kind,
    each adjustment's amount), added as exact Decimals, whatever the database's arithmetic."""
    reviews = reviews.order_by()
    found: dict[Any, PayTotals] = {}
    for key, pay, kind in reviews.values_list(field, "pay", KT("result__pay_kind")):
        _add(found, key, one(kind, pay))
    adjusted = PayAdjustment.objects.filter(review__in=reviews.values("pk")).order_by()
    for key, amount in adjusted.values_list(f"review__{field}", "amount"):
        _add(found, key, PayTotals(0, adjustments=amount.quantize(CENT)))
    return found


def of_reviews(reviews: QuerySet[Review]) -> PayTotals:
    """The totals of `reviews` (two narrow queries, as `by`)."""
    return added(by(reviews, "cycle_id").values())


def cells(kind: str | None, pay: Any, no_pay: Any = None) -> tuple[Any, Any]:
    """A review's pay in the column of its kind, for a sheet or a page: (绩效工资, 整月工资); a template
    without pay shows `no_pay` (本岗位不计绩效工资) under 绩效工资."""
    if kind is None:
        return (no_pay, None)
    return (None, pay) if kind == WAGE else (pay, None)


def one(kind: str | None, pay: Decimal | None, adjustments: Decimal = ZERO) -> PayTotals:
    """The totals of one review (its pay of `kind`, and the sum of its adjustments)."""
    amount = (pay or ZERO).quantize(CENT)
    is_wage = kind == WAGE
    return PayTotals(1, ZERO if is_wage else amount, amount if is_wage else ZERO, adjustments.quantize(CENT))


def added(parts: Iterable[PayTotals]) -> PayTotals:
    return sum(parts, PayTotals())
