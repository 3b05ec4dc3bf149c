"""Golden test of the built-in template s001-customer-service (客服, seed 001 电子商务公司绩效考核方案).

Every expected number is worked out by hand in the comment beside it, never by the engine.
Pay is the performance part of the seed's 本月工资 (never the whole wage), 绩效工资 = base_salary × 10%:
    score < 80: 绩效工资 × score / 100;  80 ≤ score ≤ 90: 绩效工资;
    score > 90: 绩效工资 + max(0, min(绩效工资 × (score − 90)/100, 销售毛利)) (the format spec's reading of
    the seed's ambiguous "5-(100-考核分数)%", continuous at 90).
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from shopkpi.scorecard import (
    EmployeeInput,
    PeriodResult,
    Template,
    builtin_template_dir,
    load_template_file,
    score,
)

PATH = builtin_template_dir() / "s001-customer-service.yaml"

# A customer-service agent in a month that ends just under 80 points.
VALUES = {
    "计划销售额": Decimal("200000"),
    "cs_paid_amount": Decimal("150500"),
    "cs_inquiries": Decimal("1200"),
    "下单人数": Decimal("456"),
    "cs_paid_buyers": Decimal("420"),
    "cs_aov": Decimal("358.33"),  # 150500 / 420
    "cs_reply_rate": Decimal("0.965"),
    "cs_avg_response_seconds": Decimal("42"),
    "跟进服务金额": Decimal("1200"),
    "售后差评次数": Decimal("2"),
    "base_salary": Decimal("6000"),
    "销售毛利": Decimal("2000"),
}
RATINGS = {"execution": Decimal("60")}

# The same agent in an excellent month.
EXCELLENT = {
    **VALUES,
    "cs_paid_amount": Decimal("170000"),
    "下单人数": Decimal("504"),
    "cs_paid_buyers": Decimal("480"),
    "cs_aov": Decimal("354.17"),
    "cs_reply_rate": Decimal("0.99"),
    "cs_avg_response_seconds": Decimal("25"),
    "跟进服务金额": Decimal("1600"),
    "售后差评次数": Decimal("1"),
}
EXCELLENT_RATINGS = {"execution": Decimal("100")}


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template_file(PATH)


def _employee(
    values: dict[str, Decimal], ratings: dict[str, Decimal] | None = None, period: str = "2026-10"
) -> EmployeeInput:
    return EmployeeInput(
        employee="E-CS-01", period=period, values=values, ratings=RATINGS if ratings is None else ratings
    )


def test_the_builtin_file_loads() -> None:
    template = load_template_file(PATH)
    assert template.id == "s001-customer-service"
    assert [item.key for item in template.items] == [
        "attainment",
        "inquiry_conversion",
        "order_success",
        "aov",
        "reply_rate",
        "response_time",
        "follow_up",
        "execution",
    ]


def test_worked_example(template: Template) -> None:
    result = score(template, _employee(VALUES))

    assert result.status == "ok"
    # 150500 / 200000 = 0.7525 -> band [70%, 80%) -> 85; 30 * 85 / 100 = 25.5
    assert result.item("attainment").points == Decimal("25.5")
    # 456 / 1200 = 0.38 -> band [35%, 40%) -> 80; 30 * 80 / 100 = 24
    assert result.item("inquiry_conversion").points == Decimal("24")
    # 420 / 456 = 0.921... -> band >= 90% -> 100; 10 * 100 / 100 = 10
    assert result.item("order_success").points == Decimal("10")
    # 358.33 -> band >= 150 -> 100; 5 * 100 / 100 = 5
    assert result.item("aov").points == Decimal("5")
    # 0.965 -> band [95%, 98%) -> 80; 5 * 80 / 100 = 4
    assert result.item("reply_rate").points == Decimal("4")
    # 42 s -> band (30, 120] -> 60; 5 * 60 / 100 = 3
    assert result.item("response_time").points == Decimal("3")
    # 1200 元 is in [1000, 1500): 4 of 5 points, 1 short; + 2 cases = 3; 5 - 1 * 3 = 2
    assert result.item("follow_up").value == Decimal("3")
    assert result.item("follow_up").points == Decimal("2")
    # supervisor 60; 10 * 60 / 100 = 6
    assert result.item("execution").points == Decimal("6")
    # 25.5 + 24 + 10 + 5 + 4 + 3 + 2 + 6 = 79.5
    assert result.score == Decimal("79.5")
    assert result.grade == "差评"  # < 80
    # 绩效工资 = 6000 * 10% = 600; below 80 it keeps score%: 600 * 79.5 / 100 = 477
    # (the seed's 本月工资 6000 - 600 * 0.205 = 5877 is the base wage 6000 minus 123 of the 600)
    assert result.pay == Decimal("477.00")
    assert result.pay_base == Decimal("600.00")
    assert result.pay_kind == "performance"
    assert result.actions == ()


def test_excellent_month_reward_is_capped_by_gross_margin(template: Template) -> None:
    result = score(template, _employee(EXCELLENT, EXCELLENT_RATINGS))

    # 170000 / 200000 = 0.85 -> 100 -> 30; 504 / 1200 = 0.42 -> 100 -> 30; 480 / 504 = 0.952 -> 100 -> 10
    # aov 354.17 -> 5; reply 0.99 -> 5; 25 s -> 5; 1600 元 -> 0 short + 1 case = 1 -> 5 - 1 = 4; 100 -> 10
    assert result.item("follow_up").points == Decimal("4")
    # 30 + 30 + 10 + 5 + 5 + 5 + 4 + 10 = 99
    assert result.score == Decimal("99")
    assert result.grade == "优秀"
    # reward 6000 * 10% * (99 - 90) / 100 = 600 * 0.09 = 54 <= 销售毛利 2000; 600 + 54 = 654
    assert result.pay == Decimal("654.00")

    thin = score(template, _employee({**EXCELLENT, "销售毛利": Decimal("30")}, EXCELLENT_RATINGS))
    # min(54, 30) = 30 -> 600 + 30 = 630
    assert thin.pay == Decimal("630.00")

    loss = score(template, _employee({**EXCELLENT, "销售毛利": Decimal("-500")}, EXCELLENT_RATINGS))
    # min(54, -500) = -500, never below 0 -> reward 0; pay 600
    assert loss.pay == Decimal("600.00")


def test_band_edges(template: Template) -> None:
    on_80 = score(template, _employee({**VALUES, "cs_paid_amount": Decimal("160000")}))
    # 160000 / 200000 = 0.8 exactly -> ">= 80%" -> 100; 30 * 100 / 100 = 30
    assert on_80.item("attainment").points == Decimal("30")
    on_70 = score(template, _employee({**VALUES, "cs_paid_amount": Decimal("140000")}))
    # 140000 / 200000 = 0.7 exactly -> "[70%, 80%)" -> 85 -> 25.5
    assert on_70.item("attainment").points == Decimal("25.5")

    # exactly 30 s -> "<= 30" -> 100 -> 5; exactly 120 s -> "(30, 120]" -> 60 -> 3; 121 s -> "> 120" -> 0
    assert score(template, _employee({**VALUES, "cs_avg_response_seconds": Decimal("30")})).item(
        "response_time"
    ).points == Decimal("5")
    assert score(template, _employee({**VALUES, "cs_avg_response_seconds": Decimal("120")})).item(
        "response_time"
    ).points == Decimal("3")
    assert score(template, _employee({**VALUES, "cs_avg_response_seconds": Decimal("121")})).item(
        "response_time"
    ).points == Decimal("0")

    # exactly 98% reply rate -> ">= 98%" -> 100 -> 5
    assert score(template, _employee({**VALUES, "cs_reply_rate": Decimal("0.98")})).item(
        "reply_rate"
    ).points == Decimal("5")


def test_the_gaps_the_seed_leaves_are_read_as_the_band_below(template: Template) -> None:
    # 下单成功率 440 / 500 = 0.88: the seed has no band for 85%..90% -> read as [80%, 90%) -> 80 -> 8
    gap = score(template, _employee({**VALUES, "下单人数": Decimal("500"), "cs_paid_buyers": Decimal("440")}))
    assert gap.item("order_success").points == Decimal("8")
    # 客单价 128.5: the seed has no band for 100..150 -> read as [80, 150) -> 80 -> 4
    assert score(template, _employee({**VALUES, "cs_aov": Decimal("128.5")})).item("aov").points == Decimal(
        "4"
    )


def test_follow_up_deductions_stop_at_zero(template: Template) -> None:
    # 400 元 < 500 -> 0 of 5 points (5 short), no case: 5 - 1 * 5 = 0
    low = score(template, _employee({**VALUES, "跟进服务金额": Decimal("400"), "售后差评次数": Decimal("0")}))
    assert low.item("follow_up").points == Decimal("0")
    # exactly 1500 元 -> ">= 1500" full 5 points; 7 cases: 5 - 7 = -2 -> 0 (扣完为止)
    many = score(
        template, _employee({**VALUES, "跟进服务金额": Decimal("1500"), "售后差评次数": Decimal("7")})
    )
    assert many.item("follow_up").points == Decimal("0")


def test_pay_at_the_seeds_edges_80_and_90(template: Template) -> None:
    at_80 = score(template, _employee(VALUES, {"execution": Decimal("65")}))
    # execution 10 * 65 / 100 = 6.5 instead of 6: 79.5 + 0.5 = 80 -> 合格, pay = 绩效工资 600
    assert at_80.score == Decimal("80")
    assert at_80.grade == "合格"
    assert at_80.pay == Decimal("600.00")

    values = {**VALUES, "cs_paid_amount": Decimal("160000"), "cs_avg_response_seconds": Decimal("30")}
    at_90 = score(template, _employee(values, {"execution": Decimal("100")}))
    # 79.5 + 4.5 (attainment 0.8 -> 30) + 2 (30 s -> 5) + 4 (execution 100 -> 10) = 90 -> 合格, no reward
    assert at_90.score == Decimal("90")
    assert at_90.grade == "合格"
    assert at_90.pay == Decimal("600.00")


def test_gross_margin_is_needed_only_for_a_reward(template: Template) -> None:
    without = {k: v for k, v in VALUES.items() if k != "销售毛利"}
    # 79.5 -> the below-80 case does not use 销售毛利: 477 as in the worked example
    assert score(template, _employee(without)).pay == Decimal("477.00")

    excellent = score(
        template, _employee({k: v for k, v in EXCELLENT.items() if k != "销售毛利"}, EXCELLENT_RATINGS)
    )
    assert excellent.status == "incomplete"
    assert excellent.pay is None


def test_a_missing_metric_makes_the_result_incomplete(template: Template) -> None:
    values = {k: v for k, v in VALUES.items() if k != "cs_inquiries"}
    result = score(template, _employee(values))

    assert result.status == "incomplete"
    assert result.missing == ("inquiry_conversion",)
    assert result.score is None
    assert result.grade is None
    assert result.pay is None


def test_consequence_rules(template: Template) -> None:
    poor = _employee(VALUES)  # 79.5 in 2026-10
    one_before = [PeriodResult("2026-09", Decimal("75"), "差评")]
    # 2026-09 and 2026-10 below 80 -> 警告
    assert score(template, poor, one_before).actions == ("警告",)
    two_before = [
        PeriodResult("2026-08", Decimal("70"), "差评"),
        PeriodResult("2026-09", Decimal("75"), "差评"),
    ]
    # three months below 80 -> 劝退 alone (警告 was raised in 2026-09, when the run reached 2)
    assert score(template, poor, two_before).actions == ("劝退",)
    # 2026-09 has no result: the run is broken
    assert score(template, poor, [PeriodResult("2026-08", Decimal("70"), "差评")]).actions == ()

    excellent = _employee(EXCELLENT, EXCELLENT_RATINGS, period="2026-12")  # 99
    streak = [PeriodResult("2026-10", Decimal("95"), "优秀"), PeriodResult("2026-11", Decimal("91"), "优秀")]
    # 2026-10, 2026-11, 2026-12 all above 90: decided in the year's last month -> 年终特别奖
    assert score(template, excellent, streak).actions == ("年终特别奖",)
    # the same run ending in 2026-10 raises nothing yet: 年终特别奖 is decided once a year, in December
    early = [PeriodResult("2026-08", Decimal("95"), "优秀"), PeriodResult("2026-09", Decimal("91"), "优秀")]
    assert score(template, _employee(EXCELLENT, EXCELLENT_RATINGS), early).actions == ()
    # exactly 90 is not 优秀 (> 90): no reward
    short = [PeriodResult("2026-10", Decimal("95"), "优秀"), PeriodResult("2026-11", Decimal("90"), "合格")]
    assert score(template, excellent, short).actions == ()


def test_cli_scores_the_worked_example(tmp_path: Path) -> None:
    values = tmp_path / "values.csv"
    values.write_text(
        "employee,计划销售额,cs_paid_amount,cs_inquiries,下单人数,cs_paid_buyers,cs_aov,cs_reply_rate,"
        "cs_avg_response_seconds,跟进服务金额,售后差评次数,base_salary,销售毛利,rating.execution\n"
        "E-CS-01,200000,150500,1200,456,420,358.33,0.965,42,1200,2,6000,2000,60\n",
        encoding="utf-8",
    )
    history = tmp_path / "history.csv"
    history.write_text("employee,period,score\nE-CS-01,2026-09,75\n", encoding="utf-8")
    shopkpi = Path(sys.executable).parent / "shopkpi"
    args = [str(shopkpi), "score", str(PATH), str(values), "--period", "2026-10", "--history", str(history)]
    run = subprocess.run([*args, "--format", "json"], capture_output=True, text=True, timeout=60)

    assert run.returncode == 0, run.stdout + run.stderr
    (only,) = json.loads(run.stdout)
    assert only["status"] == "ok"
    assert Decimal(only["score"]) == Decimal("79.5")  # as in test_worked_example
    assert only["grade"] == "差评"
    assert Decimal(only["pay"]) == Decimal("477.00")  # 600 * 79.5 / 100
    assert only["actions"] == ["警告"]  # 75 in 2026-09, 79.5 in 2026-10


# The numbers: a 5,000 wage, so 绩效工资 = 5000 * 10% = 500, at four scores.
WAGE_5000 = {**VALUES, "base_salary": Decimal("5000")}


@pytest.mark.parametrize(
    ("values", "ratings", "expected_score", "expected_pay"),
    [
        # EXCELLENT with 2 cases instead of 1: follow_up 5 - 2 = 3 instead of 4 -> 99 - 1 = 98.0
        # reward 500 * (98 - 90) / 100 = 40 <= 销售毛利 2000 -> 500 + 40 = 540.00
        (
            {**EXCELLENT, "base_salary": Decimal("5000"), "售后差评次数": Decimal("2")},
            {"execution": 100},
            "98.0",
            "540.00",
        ),
        # as test_pay_at_the_seeds_edges_80_and_90: 90.0 -> 80..90 case, all of 绩效工资: 500.00
        (
            {**WAGE_5000, "cs_paid_amount": Decimal("160000"), "cs_avg_response_seconds": Decimal("30")},
            {"execution": 100},
            "90.0",
            "500.00",
        ),
        # the 90.0 month with reply rate 0.99 (5 points, not 4) and execution 91 (9.1, not 10):
        # 90 + 1 - 0.9 = 90.1; reward 500 * (90.1 - 90) / 100 = 0.50 -> 500.50
        (
            {
                **WAGE_5000,
                "cs_paid_amount": Decimal("160000"),
                "cs_avg_response_seconds": Decimal("30"),
                "cs_reply_rate": Decimal("0.99"),
            },
            {"execution": 91},
            "90.1",
            "500.50",
        ),
        # the worked example (79.5) with execution 30 (3 points, not 6): 76.5 -> 500 * 76.5 / 100 = 382.50
        (WAGE_5000, {"execution": 30}, "76.5", "382.50"),
    ],
)
def test_pay_is_the_performance_part_at_a_5000_wage(
    template: Template,
    values: dict[str, Decimal],
    ratings: dict[str, int],
    expected_score: str,
    expected_pay: str,
) -> None:
    result = score(template, _employee(values, {k: Decimal(v) for k, v in ratings.items()}))
    assert result.score == Decimal(expected_score)
    assert result.pay == Decimal(expected_pay)
    assert result.pay_base == Decimal("500.00")  # 5000 * 10%


def test_cli_pay_at_a_5000_wage(tmp_path: Path) -> None:
    """`shopkpi score` prints the performance pay, the same four cases as above."""
    header = (
        "employee,计划销售额,cs_paid_amount,cs_inquiries,下单人数,cs_paid_buyers,cs_aov,cs_reply_rate,"
        "cs_avg_response_seconds,跟进服务金额,售后差评次数,base_salary,销售毛利,rating.execution\n"
    )
    values = tmp_path / "values.csv"
    values.write_text(
        header
        + "S98,200000,170000,1200,504,480,354.17,0.99,25,1600,2,5000,2000,100\n"  # 98.0 -> 540.00
        + "S90,200000,160000,1200,456,420,358.33,0.965,30,1200,2,5000,2000,100\n"  # 90.0 -> 500.00
        + "S901,200000,160000,1200,456,420,358.33,0.99,30,1200,2,5000,2000,91\n"  # 90.1 -> 500.50
        + "S765,200000,150500,1200,456,420,358.33,0.965,42,1200,2,5000,2000,30\n",  # 76.5 -> 382.50
        encoding="utf-8",
    )
    shopkpi = Path(sys.executable).parent / "shopkpi"
    args = [str(shopkpi), "score", str(PATH), str(values), "--period", "2026-10", "--format", "json"]
    run = subprocess.run(args, capture_output=True, text=True, timeout=60)

    assert run.returncode == 0, run.stdout + run.stderr
    assert [(row["employee"], row["score"], row["pay"]) for row in json.loads(run.stdout)] == [
        ("S98", "98.0", "540.00"),
        ("S90", "90.0", "500.00"),
        ("S901", "90.1", "500.50"),
        ("S765", "76.5", "382.50"),
    ]


def test_the_765_month_after_two_poor_months_gives_quit_alone(template: Template) -> None:
    # 2026-08 and 2026-09 差评 (< 80); 2026-10 the worked example with execution 30: 79.5 - 3 = 76.5 差评
    # the run of 差评 reaches 3 in 2026-10 -> 劝退; 警告 belonged to 2026-09 (the run reached 2): 劝退 alone
    history = [
        PeriodResult("2026-08", Decimal("72"), "差评"),
        PeriodResult("2026-09", Decimal("78.5"), "差评"),
    ]
    result = score(template, _employee(WAGE_5000, {"execution": Decimal("30")}), history)
    assert (result.score, result.grade, result.pay) == (Decimal("76.5"), "差评", Decimal("382.50"))
    assert result.actions == ("劝退",)
