"""Totals of pay, one rule for every front: 绩效工资 sums performance pay only; whole wages by a
template's design (整月工资) and HR's adjustments (奖惩) are summed apart; 应发合计 is all three."""

from __future__ import annotations

from decimal import Decimal

import pytest

from appraisal.workflow_company import three_kinds_of_pay
from shopkpi.appraisal.models import Cycle, Review
from shopkpi.appraisal.pay import pay_totals, paysheet
from shopkpi.appraisal.pay.pay_totals import PayTotals

pytestmark = pytest.mark.django_db
S = Review.Status


def test_performance_pay_wages_and_adjustments_are_summed_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    three_kinds_of_pay(monkeypatch)
    published = Review.objects.filter(status=S.PUBLISHED)
    summed = pay_totals.of_reviews(published)
    # 绩效工资 480 + 400 = 880 (the 2400 wage is not in it); 奖惩 −100 + 50 + 30 = −20
    assert summed == PayTotals(4, Decimal("880.00"), Decimal("2400.00"), Decimal("-20.00"))
    assert summed.performance_and_adjustments == Decimal("860.00")  # 880 − 20
    assert summed.payable == Decimal("3260.00")  # 880 + 2400 − 20


def test_totals_per_department_add_up_to_the_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    three_kinds_of_pay(monkeypatch)
    published = Review.objects.filter(status=S.PUBLISHED)
    per = pay_totals.by(published, "employee__department__name")
    # 运营部: E01 480 + E02 400 + M01 none = 880; 奖惩 −100 + 30 = −70
    assert per["运营部"] == PayTotals(3, Decimal("880.00"), Decimal("0.00"), Decimal("-70.00"))
    # 客服部: P01's wage 2400 apart; 奖惩 +50
    assert per["客服部"] == PayTotals(1, Decimal("0.00"), Decimal("2400.00"), Decimal("50.00"))
    assert pay_totals.added(per.values()) == pay_totals.of_reviews(published)


def test_the_pay_sheet_totals_follow_the_same_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    three_kinds_of_pay(monkeypatch)
    lines = paysheet.rows(Cycle.objects.get())
    summed = paysheet.totals(lines)
    assert summed == PayTotals(4, Decimal("880.00"), Decimal("2400.00"), Decimal("-20.00"))
    # 应发合计 is the sum of the lines' 合计: E01 380 + E02 400 + M01 30 + P01 2450 = 3260
    assert summed.payable == sum(line.total for line in lines if line.total is not None) == Decimal("3260.00")


def test_a_review_without_pay_adds_only_its_adjustments() -> None:
    assert pay_totals.one(None, None, Decimal("30")) == PayTotals(
        1, Decimal("0.00"), Decimal("0.00"), Decimal("30.00")
    )
    assert pay_totals.one("wage", Decimal("2400"), Decimal("0")).wage == Decimal("2400.00")
    assert pay_totals.one(
        "performance", Decimal("480"), Decimal("-100")
    ).performance_and_adjustments == Decimal("380.00")
