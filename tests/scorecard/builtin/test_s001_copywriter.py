"""Golden test of the built-in template s001-copywriter (文案, seed 001 电子商务公司绩效考核方案).

Every expected number is worked out by hand in the comment beside it, never by the engine.
Pay is the performance part of the seed's 本月工资 (never the whole wage), 绩效工资 = base_salary × 10%:
    score < 80: 绩效工资 × score / 100;  80 ≤ score ≤ 90: 绩效工资;
    score > 90: 绩效工资 + max(0, min(绩效工资 × (score − 90)/100, 销售毛利)) (the format spec's reading of
    the seed's ambiguous "5-(100-考核分数)%", continuous at 90).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from shopkpi.scorecard import (
    EmployeeInput,
    PeriodResult,
    Template,
    builtin_template_dir,
    load_template_file,
    score,
)

PATH = builtin_template_dir() / "s001-copywriter.yaml"

VALUES = {
    "实际销售额": Decimal("312000"),
    "计划销售额": Decimal("400000"),
    "文案延误天数": Decimal("0"),
    "task_errors": Decimal("12"),
    "页面点击次数": Decimal("300"),
    "页面访客数": Decimal("20000"),
    "base_salary": Decimal("5000"),
    "销售毛利": Decimal("3000"),
}
RATINGS = {"sales_support": Decimal("80")}

EXCELLENT = {
    **VALUES,
    "实际销售额": Decimal("320000"),
    "task_errors": Decimal("10"),
    "页面点击次数": Decimal("1600"),
}


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template_file(PATH)


def _employee(values: dict[str, Decimal], ratings: dict[str, Decimal] | None = None) -> EmployeeInput:
    return EmployeeInput(
        employee="E-CW-01", period="2026-10", values=values, ratings=RATINGS if ratings is None else ratings
    )


def test_the_builtin_file_loads() -> None:
    template = load_template_file(PATH)
    assert template.id == "s001-copywriter"
    assert [item.key for item in template.items] == [
        "attainment",
        "on_time",
        "accuracy",
        "click_rate",
        "sales_support",
    ]


def test_worked_example(template: Template) -> None:
    result = score(template, _employee(VALUES))

    assert result.status == "ok"
    # 312000 / 400000 = 0.78 -> "[70%, 80%)" -> 85; 10 * 85 / 100 = 8.5
    assert result.item("attainment").points == Decimal("8.5")
    # on time (0 days late) -> "<= 0" -> 100; 30
    assert result.item("on_time").points == Decimal("30")
    # 12 errors -> "(10, 30]" -> 50; 20 * 50 / 100 = 10
    assert result.item("accuracy").points == Decimal("10")
    # 300 / 20000 = 0.015 -> "< 0.02" -> 0; 0
    assert result.item("click_rate").points == Decimal("0")
    # supervisor 80; 35 * 80 / 100 = 28
    assert result.item("sales_support").points == Decimal("28")
    # 8.5 + 30 + 10 + 0 + 28 = 76.5
    assert result.score == Decimal("76.5")
    assert result.grade == "差评"
    # 绩效工资 500; 500 * 76.5 / 100 = 382.5 (the seed's 本月工资 5000 - 117.5 = 4882.5 less the base 4500)
    assert result.pay == Decimal("382.50")
    assert result.actions == ()


def test_the_middle_case_pays_all_of_the_performance_pay(template: Template) -> None:
    result = score(template, _employee(VALUES, {"sales_support": Decimal("90")}))
    # supervisor 90 -> 35 * 90 / 100 = 31.5 instead of 28: 76.5 + 3.5 = 80 -> 合格, pay = 绩效工资 500
    assert result.score == Decimal("80")
    assert result.grade == "合格"
    assert result.pay == Decimal("500.00")


def test_excellent_month(template: Template) -> None:
    result = score(template, _employee(EXCELLENT))

    # 320000 / 400000 = 0.8 -> 100 -> 10; on time 30; 10 errors -> "<= 10" -> 20;
    # 1600 / 20000 = 0.08 -> "[0.08, 1.5)" -> 80 -> 5 * 80 / 100 = 4; supervisor 80 -> 28
    # 10 + 30 + 20 + 4 + 28 = 92
    assert result.score == Decimal("92")
    assert result.grade == "优秀"
    # 绩效工资 500; reward 5000 * 10% * (92 - 90) / 100 = 500 * 0.02 = 10 <= 销售毛利 3000; 500 + 10 = 510
    assert result.pay == Decimal("510.00")


def test_band_edges(template: Template) -> None:
    def points(key: str, name: str, value: str) -> Decimal | None:
        return score(template, _employee({**VALUES, name: Decimal(value)})).item(key).points

    assert points("accuracy", "task_errors", "10") == Decimal("20")  # "<= 10" -> 100 -> 20
    assert points("accuracy", "task_errors", "30") == Decimal("10")  # exactly 30 -> "(10, 30]" -> 50 -> 10
    assert points("accuracy", "task_errors", "31") == Decimal("0")  # "> 30" -> 0
    assert points("on_time", "文案延误天数", "2") == Decimal("15")  # exactly 2 days -> "(0, 2]" -> 50 -> 15
    assert points("click_rate", "页面点击次数", "1600") == Decimal("4")  # 0.08 exactly -> 80 -> 4
    assert points("click_rate", "页面点击次数", "400") == Decimal(
        "3"
    )  # 0.02 exactly -> 60 -> 5 * 60 / 100 = 3
    assert points("click_rate", "页面点击次数", "30000") == Decimal("5")  # 1.5 exactly -> 100 -> 5


def test_a_missing_metric_makes_the_result_incomplete(template: Template) -> None:
    values = {k: v for k, v in VALUES.items() if k != "task_errors"}
    result = score(template, _employee(values))

    assert result.status == "incomplete"
    assert result.missing == ("accuracy",)
    assert result.score is None
    assert result.pay is None


def test_consequence_rules(template: Template) -> None:
    poor = _employee(VALUES)  # 76.5 in 2026-10
    history = [
        PeriodResult("2026-08", Decimal("70"), "差评"),
        PeriodResult("2026-09", Decimal("79.9"), "差评"),
    ]
    # the third poor month: the run reaches 3 -> 劝退 alone (警告 was raised when it reached 2)
    assert score(template, poor, history).actions == ("劝退",)
    assert score(template, poor, history[1:]).actions == ("警告",)

    # 年终特别奖 is decided in the year's last month: 2026-10, 2026-11 and 2026-12 above 90
    excellent = replace(_employee(EXCELLENT), period="2026-12")  # 92
    streak = [PeriodResult("2026-10", Decimal("91"), "优秀"), PeriodResult("2026-11", Decimal("95"), "优秀")]
    assert score(template, excellent, streak).actions == ("年终特别奖",)
    assert score(template, _employee(EXCELLENT), streak[:0]).actions == ()  # not in 2026-10
