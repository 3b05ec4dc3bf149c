"""Golden tests of the built-in template s004-ecommerce-department-manager (电子商务部经理绩效考核表).

Every expected number is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopkpi.scorecard import EmployeeInput, builtin_template_dir, load_template_file, score

PATH = builtin_template_dir() / "s004-ecommerce-department-manager.yaml"
GOLDEN = {
    "未交工作计划次数": Decimal("1"),
    "未交述职报告次数": Decimal("0"),
    "gmv": Decimal("450000"),
    "计划销售额": Decimal("500000"),
    "conversion_rate": Decimal("0.015"),
}
RATINGS = {"systems": "良", "teamwork": "B", "self_learning": "A", "planning": "中"}


@pytest.fixture(scope="module")
def template():
    return load_template_file(PATH)


def _score(template, values):
    return score(template, EmployeeInput("M1", "2026-10", values, RATINGS))


def test_golden_month(template) -> None:
    result = _score(template, GOLDEN)
    points = {item.key: item.points for item in result.items}
    assert points["plan_and_report"] == Decimal("3")  # the plan of the 28th missing: 5 − 2 × 1
    assert points["systems"] == Decimal("20")  # 良 80: 25 × 0.8
    assert points["teamwork"] == Decimal("3.5")  # B 70: 5 × 0.7
    assert points["self_learning"] == Decimal("5")  # A 100
    assert points["retail_sales"] == Decimal("27")  # 450000 / 500000 = 0.9: 30 × 0.9
    assert points["conversion"] == Decimal("11.25")  # 1.5% / 2% = 0.75: 15 × 0.75
    assert points["planning"] == Decimal("9")  # 中 60: 15 × 0.6
    # 3 + 20 + 3.5 + 5 + 27 + 11.25 + 9 = 78.75 -> 78.8 (half-up)
    assert result.score == Decimal("78.8")
    assert result.pay is None and result.grade is None


def test_plan_and_report_are_deducted_down_to_zero(template) -> None:
    both = {**GOLDEN, "未交工作计划次数": Decimal("2"), "未交述职报告次数": Decimal("1")}
    # 2 × 2 + 3 × 1 = 7 points off a 5-point item: max(0, 5 − 7) = 0 (扣完为止)
    assert _score(template, both).item("plan_and_report").points == 0
    on_time = {**GOLDEN, "未交工作计划次数": Decimal("0")}
    assert _score(template, on_time).item("plan_and_report").points == 5
