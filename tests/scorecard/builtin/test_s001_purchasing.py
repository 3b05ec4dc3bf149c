"""Golden test of the built-in template s001-purchasing (采购, seed 001 电子商务公司绩效考核方案).

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

PATH = builtin_template_dir() / "s001-purchasing.yaml"

VALUES = {
    "实际销售额": Decimal("380000"),
    "计划销售额": Decimal("400000"),
    "实际采购量": Decimal("1740"),
    "计划采购量": Decimal("2000"),
    "工作能力达标率": Decimal("0.85"),
    "采购质量合格率": Decimal("0.96"),
    "库存更新准确率": Decimal("1"),
    "发货工作日": Decimal("0.9"),
    "base_salary": Decimal("7000"),
    "销售毛利": Decimal("5000"),
}
RATINGS = {"attitude": Decimal("90")}

POOR = {**VALUES, "库存更新准确率": Decimal("0.7"), "发货工作日": Decimal("2.5")}
POOR_RATINGS = {"attitude": Decimal("60")}


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template_file(PATH)


def _employee(values: dict[str, Decimal], ratings: dict[str, Decimal] | None = None) -> EmployeeInput:
    return EmployeeInput(
        employee="E-PU-01", period="2026-10", values=values, ratings=RATINGS if ratings is None else ratings
    )


def test_the_builtin_file_loads() -> None:
    template = load_template_file(PATH)
    assert template.id == "s001-purchasing"
    assert [item.key for item in template.items] == [
        "attainment",
        "purchase_completion",
        "ability",
        "quality",
        "inventory",
        "shipping",
        "attitude",
    ]


def test_worked_example(template: Template) -> None:
    result = score(template, _employee(VALUES))

    assert result.status == "ok"
    # 380000 / 400000 = 0.95 -> ">= 80%" -> 100; 15
    assert result.item("attainment").points == Decimal("15")
    # 1740 / 2000 = 0.87 -> "[80%, 90%)" -> 80; 20 * 80 / 100 = 16
    assert result.item("purchase_completion").points == Decimal("16")
    # 85% -> ">= 80%" -> 100; 15
    assert result.item("ability").points == Decimal("15")
    # 96% -> ">= 90%" -> 100; 15
    assert result.item("quality").points == Decimal("15")
    # 100% -> ">= 100%" -> 100; 10
    assert result.item("inventory").points == Decimal("10")
    # 0.9 working days -> "[0.8, 1]" -> 80; 15 * 80 / 100 = 12
    assert result.item("shipping").points == Decimal("12")
    # supervisor 90; 10 * 90 / 100 = 9
    assert result.item("attitude").points == Decimal("9")
    # 15 + 16 + 15 + 15 + 10 + 12 + 9 = 92
    assert result.score == Decimal("92")
    assert result.grade == "优秀"
    # 绩效工资 700; reward 700 * (92 - 90) / 100 = 700 * 0.02 = 14 <= 销售毛利 5000; 700 + 14 = 714
    assert result.pay == Decimal("714.00")
    assert result.actions == ()


def test_a_poor_month(template: Template) -> None:
    result = score(template, _employee(POOR, POOR_RATINGS))

    # 库存 70% -> "< 75%" -> 0 (was 10); 发货 2.5 days -> "> 2" -> 0 (was 12); supervisor 60 -> 6 (was 9)
    # 92 - 10 - 12 - 3 = 67
    assert result.score == Decimal("67")
    assert result.grade == "差评"
    # 700 * 67 / 100 = 469 (the seed's 本月工资 7000 - 231 = 6769 less the base 6300)
    assert result.pay == Decimal("469.00")


def test_band_edges(template: Template) -> None:
    def points(key: str, name: str, value: str) -> Decimal | None:
        return score(template, _employee({**VALUES, name: Decimal(value)})).item(key).points

    assert points("purchase_completion", "实际采购量", "1800") == Decimal(
        "20"
    )  # 0.9 exactly -> ">= 90%" -> 20
    assert points("purchase_completion", "实际采购量", "1300") == Decimal(
        "12"
    )  # 0.65, a gap in the seed -> 60 -> 12
    assert points("purchase_completion", "实际采购量", "1200") == Decimal(
        "12"
    )  # 0.6 exactly -> "[60%, 80%)" -> 12
    assert points("purchase_completion", "实际采购量", "1199") == Decimal("0")  # 0.5995 -> "< 60%" -> 0
    assert points("quality", "采购质量合格率", "0.85") == Decimal(
        "12.75"
    )  # gap 80..90% -> 85 -> 15 * 85 / 100
    assert points("quality", "采购质量合格率", "0.7") == Decimal("12.75")  # "[70%, 90%)" -> 85 -> 12.75
    assert points("quality", "采购质量合格率", "0.6") == Decimal("10.5")  # "[60%, 70%)" -> 70 -> 10.5
    assert points("inventory", "库存更新准确率", "0.75") == Decimal("5")  # "[75%, 100%)" -> 50 -> 5
    assert points("shipping", "发货工作日", "0.79") == Decimal("15")  # "< 0.8" -> 100 -> 15
    assert points("shipping", "发货工作日", "0.8") == Decimal("12")  # exactly 0.8 -> "[0.8, 1]" -> 80 -> 12
    assert points("shipping", "发货工作日", "1") == Decimal("12")  # exactly 1 -> "[0.8, 1]" -> 12
    assert points("shipping", "发货工作日", "2") == Decimal("9")  # exactly 2 -> "(1, 2]" -> 60 -> 9


def test_a_missing_value_makes_the_result_incomplete(template: Template) -> None:
    values = {k: v for k, v in VALUES.items() if k != "计划采购量"}
    result = score(template, _employee(values))

    assert result.status == "incomplete"
    assert result.missing == ("purchase_completion",)
    assert result.score is None
    assert result.pay is None


def test_consequence_rules(template: Template) -> None:
    poor = _employee(POOR, POOR_RATINGS)  # 67 in 2026-10
    history = [PeriodResult("2026-08", Decimal("75"), "差评"), PeriodResult("2026-09", Decimal("79"), "差评")]
    assert score(template, poor, history).actions == ("劝退",)
    assert score(template, poor, history[1:]).actions == ("警告",)

    excellent = replace(_employee(VALUES), period="2026-12")  # 92
    streak = [PeriodResult("2026-10", Decimal("91"), "优秀"), PeriodResult("2026-11", Decimal("100"), "优秀")]
    assert score(template, excellent, streak).actions == ("年终特别奖",)
    # history from another year's months does not count
    stale = [PeriodResult("2025-10", Decimal("91"), "优秀"), PeriodResult("2025-11", Decimal("100"), "优秀")]
    assert score(template, excellent, stale).actions == ()
