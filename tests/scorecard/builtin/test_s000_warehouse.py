"""Golden tests of the built-in template s000-warehouse (库房人员, seed 000 方案4).

Every expected number is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopkpi.scorecard import EmployeeInput, builtin_template_dir, load_template_file, score

PATH = builtin_template_dir() / "s000-warehouse.yaml"
GOLDEN = {
    "现场5S检查得分": Decimal("92"),
    "差错单数": Decimal("3"),
    "作业单数": Decimal("1500"),
    "实际完成工作量": Decimal("1800"),
    "计划工作量": Decimal("2000"),
    "违纪次数": Decimal("1"),
    "问题汇报次数": Decimal("2"),
    "意见征询得分": Decimal("85"),
}


@pytest.fixture(scope="module")
def template():
    return load_template_file(PATH)


def _score(template, values, rating="良"):
    return score(template, EmployeeInput("E1", "2026-10", values, {"attitude": rating}))


def test_main_items_are_70_points_and_the_rest_30(template) -> None:
    weights = {item.key: item.weight for item in template.items}
    assert weights["five_s"] + weights["error_rate"] + weights["workload"] == 70  # 主
    assert weights["attitude"] + weights["discipline"] == 30  # 辅
    assert weights["problem_reports"] is None and weights["survey"] is None  # only add
    assert template.pay is None and not template.grades and not template.rules


def test_golden_month(template) -> None:
    result = _score(template, GOLDEN)
    points = {item.key: item.points for item in result.items}
    assert points["five_s"] == Decimal("23")  # 25 × 92 / 100
    assert points["error_rate"] == Decimal("20")  # 3 / 1500 = 0.2% -> (0.1%, 0.3%] -> 80: 25 × 0.8
    assert points["workload"] == Decimal("18")  # 1800 / 2000 = 0.9: 20 × 0.9
    assert points["attitude"] == Decimal("12")  # 良 80: 15 × 0.8
    assert points["discipline"] == Decimal("10")  # 15 − 5 × 1
    assert points["problem_reports"] == Decimal("4")  # 2 reports × 2
    assert points["survey"] == Decimal("2")  # floor((85 − 60) / 10) = 2, × 1
    assert result.score == Decimal("89.0")  # 23 + 20 + 18 + 12 + 10 + 4 + 2


def test_the_bonus_items_only_add_and_the_card_stops_at_110(template) -> None:
    best = {
        **GOLDEN,
        "现场5S检查得分": Decimal("100"),
        "差错单数": Decimal("0"),
        "实际完成工作量": Decimal("2100"),
        "违纪次数": Decimal("0"),
        "问题汇报次数": Decimal("5"),
        "意见征询得分": Decimal("100"),
    }
    # 25 + 25 + 20 + 15 + 15 + min(6, 10) + min(4, 4) = 110
    assert _score(template, best, "优").score == Decimal("110.0")
    worst = {**GOLDEN, "违纪次数": Decimal("4"), "问题汇报次数": Decimal("0"), "意见征询得分": Decimal("50")}
    points = {item.key: item.points for item in _score(template, worst).items}
    # 4 violations: max(0, 15 − 20) = 0 (扣完为止); no report and a survey of 50 add nothing, take nothing
    assert (points["discipline"], points["problem_reports"], points["survey"]) == (0, 0, 0)
