"""Golden test of the built-in template s001-designer (美工, seed 001 电子商务公司绩效考核方案).

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

PATH = builtin_template_dir() / "s001-designer.yaml"

VALUES = {
    "实际销售额": Decimal("236000"),
    "计划销售额": Decimal("400000"),
    "设计延误天数": Decimal("0.5"),
    "设计日志篇数": Decimal("27"),
    "页面点击次数": Decimal("5400"),
    "页面访客数": Decimal("12000"),
    "base_salary": Decimal("6000"),
    "销售毛利": Decimal("1000"),
}
RATINGS = {"pass_rate": Decimal("100"), "sales_support": Decimal("80")}

EXCELLENT = {
    **VALUES,
    "实际销售额": Decimal("400000"),
    "设计延误天数": Decimal("0"),
    "设计日志篇数": Decimal("31"),
    "页面点击次数": Decimal("18000"),
}
EXCELLENT_RATINGS = {"pass_rate": Decimal("100"), "sales_support": Decimal("90")}


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template_file(PATH)


def _employee(values: dict[str, Decimal], ratings: dict[str, Decimal] | None = None) -> EmployeeInput:
    return EmployeeInput(
        employee="E-DS-01", period="2026-10", values=values, ratings=RATINGS if ratings is None else ratings
    )


def test_the_builtin_file_loads() -> None:
    template = load_template_file(PATH)
    assert template.id == "s001-designer"
    assert [item.key for item in template.items] == [
        "attainment",
        "on_time",
        "pass_rate",
        "design_log",
        "click_rate",
        "sales_support",
    ]


def test_worked_example(template: Template) -> None:
    result = score(template, _employee(VALUES))

    assert result.status == "ok"
    # 236000 / 400000 = 0.59 -> "[50%, 60%)" -> 55; 10 * 55 / 100 = 5.5
    assert result.item("attainment").points == Decimal("5.5")
    # 0.5 days late -> "(0, 2]" -> 50; 30 * 50 / 100 = 15
    assert result.item("on_time").points == Decimal("15")
    # supervisor 100 (设计通过率 根据考核定); 20 * 100 / 100 = 20
    assert result.item("pass_rate").points == Decimal("20")
    # 27 logs -> "[25, 30)" -> 50; 20 * 50 / 100 = 10
    assert result.item("design_log").points == Decimal("10")
    # 5400 / 12000 = 0.45 -> "[0.08, 1.5)" -> 80; 10 * 80 / 100 = 8
    assert result.item("click_rate").points == Decimal("8")
    # supervisor 80; 10 * 80 / 100 = 8
    assert result.item("sales_support").points == Decimal("8")
    # 5.5 + 15 + 20 + 10 + 8 + 8 = 66.5
    assert result.score == Decimal("66.5")
    assert result.grade == "差评"
    # 绩效工资 600; 600 * 66.5 / 100 = 399 (the seed's 本月工资 6000 - 201 = 5799 less the base 5400)
    assert result.pay == Decimal("399.00")
    assert result.actions == ()


def test_excellent_month_reward_is_capped_by_gross_margin(template: Template) -> None:
    result = score(template, _employee(EXCELLENT, EXCELLENT_RATINGS))

    # 400000 / 400000 = 1 -> 10; 0 days late -> "<= 0" -> 30; pass 20; 31 logs -> 20;
    # 18000 / 12000 = 1.5 exactly -> ">= 1.5" -> 10; supervisor 90 -> 9
    assert result.item("click_rate").points == Decimal("10")
    # 10 + 30 + 20 + 20 + 10 + 9 = 99
    assert result.score == Decimal("99")
    assert result.grade == "优秀"
    # reward 6000 * 10% * (99 - 90) / 100 = 600 * 0.09 = 54 <= 销售毛利 1000; 600 + 54 = 654
    assert result.pay == Decimal("654.00")

    thin = score(template, _employee({**EXCELLENT, "销售毛利": Decimal("40")}, EXCELLENT_RATINGS))
    # min(54, 40) = 40 -> 600 + 40 = 640
    assert thin.pay == Decimal("640.00")


def test_band_edges(template: Template) -> None:
    def points(key: str, name: str, value: str) -> Decimal | None:
        return score(template, _employee({**VALUES, name: Decimal(value)})).item(key).points

    assert points("on_time", "设计延误天数", "0") == Decimal("30")  # 准时 -> 100 -> 30
    assert points("on_time", "设计延误天数", "2") == Decimal("15")  # exactly 2 days -> "(0, 2]" -> 50 -> 15
    assert points("on_time", "设计延误天数", "2.5") == Decimal("0")  # "> 2" -> 0
    assert points("design_log", "设计日志篇数", "30") == Decimal("20")  # ">= 30" -> 100 -> 20
    assert points("design_log", "设计日志篇数", "25") == Decimal("10")  # "[25, 30)" -> 50 -> 10
    assert points("design_log", "设计日志篇数", "24") == Decimal("0")  # "< 25" -> 0
    assert points("click_rate", "页面点击次数", "960") == Decimal("8")  # 960 / 12000 = 0.08 -> 80 -> 8
    assert points("click_rate", "页面点击次数", "240") == Decimal("6")  # 240 / 12000 = 0.02 -> 60 -> 6
    assert points("click_rate", "页面点击次数", "239") == Decimal("0")  # 0.0199.. -> "< 0.02" -> 0
    assert points("attainment", "实际销售额", "320000") == Decimal("10")  # 320000 / 400000 = 0.8 -> 100 -> 10


def test_missing_values_make_the_result_incomplete(template: Template) -> None:
    no_visitors = score(template, _employee({**VALUES, "页面访客数": Decimal("0")}))
    # 5400 / 0 cannot be computed
    assert no_visitors.status == "incomplete"
    assert no_visitors.missing == ("click_rate",)
    assert no_visitors.score is None

    no_rating = score(template, _employee(VALUES, {"sales_support": Decimal("80")}))
    assert no_rating.status == "incomplete"
    assert no_rating.missing == ("pass_rate",)
    assert no_rating.pay is None


def test_consequence_rules(template: Template) -> None:
    poor = _employee(VALUES)  # 66.5 in 2026-10
    assert score(template, poor, [PeriodResult("2026-09", Decimal("78"), "差评")]).actions == ("警告",)
    history = [PeriodResult("2026-08", Decimal("70"), "差评"), PeriodResult("2026-09", Decimal("78"), "差评")]
    assert score(template, poor, history).actions == ("劝退",)  # not 警告 and 劝退

    excellent = replace(_employee(EXCELLENT, EXCELLENT_RATINGS), period="2026-12")  # 99
    streak = [
        PeriodResult("2026-10", Decimal("96"), "优秀"),
        PeriodResult("2026-11", Decimal("90.1"), "优秀"),
    ]
    assert score(template, excellent, streak).actions == ("年终特别奖",)
