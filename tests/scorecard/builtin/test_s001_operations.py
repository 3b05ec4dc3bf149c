"""Golden test of the built-in template s001-operations (运营, seed 001 电子商务公司绩效考核方案).

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

PATH = builtin_template_dir() / "s001-operations.yaml"

# An operator of a small shop: 25000 visitors, 520 buyers at 62 元.
VALUES = {
    "计划销售额": Decimal("30000"),
    "gmv": Decimal("32240"),  # 520 * 62
    "pv": Decimal("110000"),
    "uv": Decimal("25000"),
    "pages_per_visitor": Decimal("4.4"),  # 110000 / 25000
    "buyers": Decimal("520"),
    "conversion_rate": Decimal("0.0208"),  # 520 / 25000
    "avg_stay_seconds": Decimal("35"),
    "aov": Decimal("62"),
    "campaign_roi": Decimal("2.8"),
    "favorites": Decimal("600"),
    "base_salary": Decimal("8000"),
    "销售毛利": Decimal("30000"),
}
RATINGS = {"execution": Decimal("85")}


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template_file(PATH)


def _employee(values: dict[str, Decimal], ratings: dict[str, Decimal] | None = None) -> EmployeeInput:
    return EmployeeInput(
        employee="E-OP-01", period="2026-10", values=values, ratings=RATINGS if ratings is None else ratings
    )


def test_the_builtin_file_loads() -> None:
    template = load_template_file(PATH)
    assert template.id == "s001-operations"
    assert len(template.items) == 12


def test_worked_example(template: Template) -> None:
    result = score(template, _employee(VALUES))

    assert result.status == "ok"
    # 32240 / 30000 = 1.0747 -> ">= 80%" -> 100; 20 * 100 / 100 = 20
    assert result.item("attainment").points == Decimal("20")
    # 110000 -> "[10W, 15W)" -> 80; 5 * 80 / 100 = 4
    assert result.item("pv").points == Decimal("4")
    # 4.4 -> "> 3" -> 100; 5
    assert result.item("pages_per_visitor").points == Decimal("5")
    # 520 -> ">= 500" -> 100; 10
    assert result.item("buyers").points == Decimal("10")
    # 0.0208 -> "(2%, 3%)" -> 80; 10 * 80 / 100 = 8
    assert result.item("conversion_rate").points == Decimal("8")
    # 32240 -> ">= 3W" -> 100; 10
    assert result.item("gmv").points == Decimal("10")
    # 35 s -> ">= 30" -> 100; 5
    assert result.item("avg_stay").points == Decimal("5")
    # 62 -> "[50, 100)" -> 80; 5 * 80 / 100 = 4
    assert result.item("aov").points == Decimal("4")
    # 25000 -> "[2W, 3W)" -> 80; 5 * 80 / 100 = 4
    assert result.item("uv").points == Decimal("4")
    # 2.8 -> ">= 0.1" -> 100; 10
    assert result.item("roi").points == Decimal("10")
    # 600 -> ">= 500" -> 100; 5
    assert result.item("favorites").points == Decimal("5")
    # supervisor 85; 10 * 85 / 100 = 8.5
    assert result.item("execution").points == Decimal("8.5")
    # 20 + 4 + 5 + 10 + 8 + 10 + 5 + 4 + 4 + 10 + 5 + 8.5 = 93.5
    assert result.score == Decimal("93.5")
    assert result.grade == "优秀"
    # 绩效工资 = 8000 * 10% = 800; reward 800 * (93.5 - 90) / 100 = 800 * 0.035 = 28 <= 销售毛利 30000
    # 800 + 28 = 828
    assert result.pay == Decimal("828.00")
    assert result.actions == ()


def test_a_poor_month(template: Template) -> None:
    result = score(
        template, _employee({**VALUES, "campaign_roi": Decimal("0.01")}, {"execution": Decimal("0")})
    )

    # ROI 0.01 -> "< 0.02" -> 0 (was 10); execution 0 (was 8.5): 93.5 - 10 - 8.5 = 75
    assert result.score == Decimal("75")
    assert result.grade == "差评"
    # 800 * 75 / 100 = 600 (the seed's 本月工资 8000 - 200 = 7800 less the base 7200)
    assert result.pay == Decimal("600.00")


def test_band_edges(template: Template) -> None:
    def points(key: str, name: str, value: str) -> Decimal | None:
        return score(template, _employee({**VALUES, name: Decimal(value)})).item(key).points

    assert points("pv", "pv", "150000") == Decimal("5")  # exactly 15W -> ">= 15W" -> 100 -> 5
    assert points("pv", "pv", "120000") == Decimal(
        "4"
    )  # 12W..15W, a gap in the seed -> [10W, 15W) -> 80 -> 4
    assert points("pv", "pv", "60000") == Decimal("2")  # exactly 6W -> "[6W, 8W)" -> 40 -> 5 * 40 / 100 = 2
    # exactly 3 pages per visitor: not "> 3" -> "[2, 3]" -> 80 -> 4
    assert points("pages_per_visitor", "pages_per_visitor", "3") == Decimal("4")
    # exactly 2%: "[0.5%, 2%]" -> 60 -> 10 * 60 / 100 = 6; exactly 3% -> ">= 3%" -> 100 -> 10
    assert points("conversion_rate", "conversion_rate", "0.02") == Decimal("6")
    assert points("conversion_rate", "conversion_rate", "0.03") == Decimal("10")
    # exactly 3W GMV -> ">= 3W" -> 100 -> 10
    assert points("gmv", "gmv", "30000") == Decimal("10")
    # exactly 5000 visitors -> "[5000, 1W)" -> 40 -> 2
    assert points("uv", "uv", "5000") == Decimal("2")


def test_a_missing_metric_makes_the_result_incomplete(template: Template) -> None:
    values = {k: v for k, v in VALUES.items() if k != "uv"}
    result = score(template, _employee(values))

    assert result.status == "incomplete"
    assert result.missing == ("uv",)
    assert result.score is None
    assert result.pay is None


def test_consequence_rules(template: Template) -> None:
    excellent = replace(_employee(VALUES), period="2026-12")  # 93.5
    streak = [
        PeriodResult("2026-10", Decimal("92"), "优秀"),
        PeriodResult("2026-11", Decimal("90.5"), "优秀"),
    ]
    # three months above 90 in the year, decided in its last month -> 年终特别奖
    assert score(template, excellent, streak).actions == ("年终特别奖",)
    # only two: no reward yet
    assert score(template, excellent, streak[1:]).actions == ()

    poor = _employee({**VALUES, "campaign_roi": Decimal("0.01")}, {"execution": Decimal("0")})  # 75
    history = [
        PeriodResult("2026-08", Decimal("79.9"), "差评"),
        PeriodResult("2026-09", Decimal("60"), "差评"),
    ]
    # three months below 80 -> 劝退 (警告 was raised in 2026-09)
    assert score(template, poor, history).actions == ("劝退",)
    # 2026-08 was 80 (not below 80): only the last two months are poor -> 警告
    history = [PeriodResult("2026-08", Decimal("80"), "合格"), PeriodResult("2026-09", Decimal("60"), "差评")]
    assert score(template, poor, history).actions == ("警告",)
