"""Golden test of the built-in template s001-sns-promotion (SNS推广, seed 001 电子商务公司绩效考核方案).

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

PATH = builtin_template_dir() / "s001-sns-promotion.yaml"

VALUES = {
    "实际销售额": Decimal("410000"),
    "计划销售额": Decimal("400000"),
    "sns_miss_rate": Decimal("0.04"),
    "sns_original_ratio": Decimal("0.35"),
    "sns_fan_loss_rate": Decimal("0.003"),
    "上期平均回复数": Decimal("40"),
    "本期平均回复数": Decimal("39.6"),
    "上期平均转发数": Decimal("20"),
    "本期平均转发数": Decimal("22"),
    "评论未回复次数": Decimal("1"),
    "私信未回复次数": Decimal("3"),
    "投诉次数": Decimal("0"),
    "base_salary": Decimal("5500"),
    "销售毛利": Decimal("800"),
}
RATINGS = {"sales_support": Decimal("90")}

EXCELLENT = {
    **VALUES,
    "sns_original_ratio": Decimal("0.5"),
    "本期平均回复数": Decimal("40"),
    "私信未回复次数": Decimal("1"),
}


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template_file(PATH)


def _employee(values: dict[str, Decimal], ratings: dict[str, Decimal] | None = None) -> EmployeeInput:
    return EmployeeInput(
        employee="E-SNS-01", period="2026-10", values=values, ratings=RATINGS if ratings is None else ratings
    )


def test_the_builtin_file_loads() -> None:
    template = load_template_file(PATH)
    assert template.id == "s001-sns-promotion"
    assert len(template.items) == 10


def test_worked_example(template: Template) -> None:
    result = score(template, _employee(VALUES))

    assert result.status == "ok"
    # 410000 / 400000 = 1.025 -> ">= 80%" -> 100; 10
    assert result.item("attainment").points == Decimal("10")
    # 4% -> "(2%, 5%]" -> 80; 10 * 80 / 100 = 8
    assert result.item("miss_rate").points == Decimal("8")
    # 35% -> "[20%, 50%)" -> 50; 15 * 50 / 100 = 7.5
    assert result.item("original_ratio").points == Decimal("7.5")
    # 0.3% -> "<= 0.5%" -> 100; 10
    assert result.item("fan_loss_rate").points == Decimal("10")
    # (40 - 39.6) / 40 = 0.01 -> "(0.5%, 2%]" -> 50; 10 * 50 / 100 = 5
    assert result.item("reply_retention").value == Decimal("0.01")
    assert result.item("reply_retention").points == Decimal("5")
    # (20 - 22) / 20 = -0.1 (reposts rose) -> "<= 0.5%" -> 100; 15
    assert result.item("repost_retention").points == Decimal("15")
    # 1 unanswered comment -> "< 2" -> 100; 5
    assert result.item("unanswered_comments").points == Decimal("5")
    # 3 unanswered messages -> "[2, 5)" -> 50; 10 * 50 / 100 = 5
    assert result.item("unanswered_messages").points == Decimal("5")
    # 0 complaints -> "< 2" -> 100; 5
    assert result.item("complaints").points == Decimal("5")
    # supervisor 90; 10 * 90 / 100 = 9
    assert result.item("sales_support").points == Decimal("9")
    # 10 + 8 + 7.5 + 10 + 5 + 15 + 5 + 5 + 5 + 9 = 79.5
    assert result.score == Decimal("79.5")
    assert result.grade == "差评"
    # 绩效工资 550; 550 * 79.5 / 100 = 437.25 (the seed's 本月工资 5500 - 112.75 = 5387.25 less the base 4950)
    assert result.pay == Decimal("437.25")
    assert result.actions == ()


def test_excellent_month_reward_is_capped_by_gross_margin(template: Template) -> None:
    result = score(template, _employee(EXCELLENT))

    # 原创率 50% -> 100 -> 15 (+7.5); 回复 (40 - 40) / 40 = 0 -> 10 (+5); 私信 1 -> 10 (+5): 79.5 + 17.5 = 97
    assert result.score == Decimal("97")
    assert result.grade == "优秀"
    # reward 5500 * 10% * (97 - 90) / 100 = 550 * 0.07 = 38.5 <= 销售毛利 800; 550 + 38.5 = 588.50
    assert result.pay == Decimal("588.50")

    thin = score(template, _employee({**EXCELLENT, "销售毛利": Decimal("20")}))
    # min(38.5, 20) = 20 -> 550 + 20 = 570
    assert thin.pay == Decimal("570.00")


def test_band_edges(template: Template) -> None:
    def points(key: str, name: str, value: str) -> Decimal | None:
        return score(template, _employee({**VALUES, name: Decimal(value)})).item(key).points

    assert points("unanswered_comments", "评论未回复次数", "2") == Decimal("2.5")  # "[2, 5)" -> 50 -> 2.5
    assert points("unanswered_comments", "评论未回复次数", "5") == Decimal("0")  # ">= 5" -> 0
    assert points("complaints", "投诉次数", "4") == Decimal("2.5")  # "[2, 5)" -> 50 -> 5 * 50 / 100 = 2.5
    assert points("miss_rate", "sns_miss_rate", "0.02") == Decimal("10")  # "<= 2%" -> 100 -> 10
    assert points("miss_rate", "sns_miss_rate", "0.05") == Decimal("8")  # "(2%, 5%]" -> 80 -> 8
    assert points("miss_rate", "sns_miss_rate", "0.1") == Decimal("6")  # "(5%, 10%]" -> 60 -> 6
    assert points("miss_rate", "sns_miss_rate", "0.1001") == Decimal("0")  # "> 10%" -> 0
    assert points("original_ratio", "sns_original_ratio", "0.2") == Decimal(
        "7.5"
    )  # "[20%, 50%)" -> 50 -> 7.5
    assert points("fan_loss_rate", "sns_fan_loss_rate", "0.005") == Decimal("10")  # "<= 0.5%" -> 100 -> 10
    assert points("fan_loss_rate", "sns_fan_loss_rate", "0.02") == Decimal("5")  # "(0.5%, 2%]" -> 50 -> 5
    # (20 - 19.9) / 20 = 0.005 exactly -> "<= 0.5%" -> 100 -> 15
    assert points("repost_retention", "本期平均转发数", "19.9") == Decimal("15")


def test_missing_values_make_the_result_incomplete(template: Template) -> None:
    no_base = score(template, _employee({**VALUES, "上期平均转发数": Decimal("0")}))
    # (0 - 22) / 0 cannot be computed
    assert no_base.status == "incomplete"
    assert no_base.missing == ("repost_retention",)
    assert no_base.score is None

    no_metric = score(template, _employee({k: v for k, v in VALUES.items() if k != "sns_fan_loss_rate"}))
    assert no_metric.missing == ("fan_loss_rate",)
    assert no_metric.pay is None


def test_consequence_rules(template: Template) -> None:
    poor = _employee(VALUES)  # 79.5 in 2026-10
    assert score(template, poor, [PeriodResult("2026-09", Decimal("50"), "差评")]).actions == ("警告",)

    excellent = replace(_employee(EXCELLENT), period="2026-12")  # 97
    streak = [PeriodResult("2026-10", Decimal("99"), "优秀"), PeriodResult("2026-11", Decimal("93"), "优秀")]
    assert score(template, excellent, streak).actions == ("年终特别奖",)
    # 2026-09 and 2026-11 excellent but 2026-10 missing: the run is broken
    broken = [PeriodResult("2026-09", Decimal("99"), "优秀"), PeriodResult("2026-11", Decimal("93"), "优秀")]
    assert score(template, excellent, broken).actions == ()
