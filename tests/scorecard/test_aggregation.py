"""A quarter's or a year's variables made from the results of the months (or quarters) inside it.

Every expected number is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopkpi.scorecard import EmployeeInput, PeriodResult, TemplateError, load_template_text, score

QUARTER = """
id: q
name: 季度
period: quarter
aggregate:
  平均: {of: score, how: average}
  加权: {of: score, how: weighted, weights: [1, 1, 2]}
  末月: {of: score, how: last}
  最低: {of: score, how: min}
  最高: {of: score, how: max}
  绩效合计: {of: pay, how: sum}
  优秀月数: {of: grade, how: count, grades: [优秀]}
  月数: {of: score, how: count}
  连续优秀: {of: grade, how: longest_run, grades: [优秀]}
items:
  - {key: a, name: 平均分, weight: 100, value: 平均, proportional: {target: 100}}
"""

MONTHS = [
    PeriodResult("2026-07", Decimal("80"), "良好", Decimal("900")),
    PeriodResult("2026-08", Decimal("92"), "优秀", Decimal("1100")),
    PeriodResult("2026-09", Decimal("95.5"), "优秀", Decimal("1200.50")),
    PeriodResult("2026-06", Decimal("99"), "优秀", Decimal("5000")),  # Q2: not part of Q3
    PeriodResult("2026-Q2", Decimal("70"), "合格"),  # another quarter: history for rules only
]


def _values(template_text: str, period: str, history: list[PeriodResult]) -> dict[str, Decimal | None]:
    from shopkpi.scorecard import aggregate_values

    template = load_template_text(template_text)
    return {name: found.value for name, found in aggregate_values(template, period, history).items()}


def test_every_way_of_aggregating_three_months() -> None:
    values = _values(QUARTER, "2026-Q3", MONTHS)
    # (80 + 92 + 95.5) / 3 = 267.5 / 3 = 89.1666… (28 digits)
    assert values["平均"] == Decimal("267.5") / 3
    # (1×80 + 1×92 + 2×95.5) / (1 + 1 + 2) = 363 / 4 = 90.75
    assert values["加权"] == Decimal("90.75")
    assert values["末月"] == Decimal("95.5")
    assert (values["最低"], values["最高"]) == (Decimal("80"), Decimal("95.5"))
    # 900 + 1100 + 1200.50 = 3200.50 (June's 5000 is in Q2)
    assert values["绩效合计"] == Decimal("3200.50")
    assert (values["优秀月数"], values["月数"], values["连续优秀"]) == (2, 3, 2)


def test_a_month_without_a_result_leaves_its_weight_out_and_breaks_a_run() -> None:
    months = [MONTHS[0], PeriodResult("2026-09", Decimal("95.5"), "优秀")]  # no August
    values = _values(QUARTER, "2026-Q3", months)
    # (80 + 95.5) / 2 = 87.75
    assert values["平均"] == Decimal("87.75")
    # (1×80 + 2×95.5) / (1 + 2) = 271 / 3
    assert values["加权"] == Decimal(271) / 3
    assert values["末月"] == Decimal("95.5")
    assert values["绩效合计"] == Decimal("900")  # September has no pay: the sum of the pay there is
    assert (values["优秀月数"], values["月数"], values["连续优秀"]) == (1, 2, 1)


def test_without_any_month_the_averages_have_no_value_and_the_counts_are_zero() -> None:
    values = _values(QUARTER, "2026-Q3", [MONTHS[3]])
    assert values["平均"] is None and values["加权"] is None and values["末月"] is None
    assert (values["优秀月数"], values["月数"], values["连续优秀"]) == (0, 0, 0)
    result = score(load_template_text(QUARTER), EmployeeInput("E1", "2026-Q3"), [MONTHS[3]])
    assert result.status == "incomplete" and result.missing == ("a",)  # never counted as zero


def test_the_engine_fills_the_aggregates_from_history_and_a_given_value_wins() -> None:
    template = load_template_text(QUARTER)
    result = score(template, EmployeeInput("E1", "2026-Q3"), MONTHS)
    # 100 × clamp(89.1666…/100, 0, 1) = 89.1666… -> 89.2
    assert result.score == Decimal("89.2")
    overridden = score(template, EmployeeInput("E1", "2026-Q3", {"平均": Decimal("75")}), MONTHS)
    assert overridden.score == Decimal("75.0")


def test_a_year_aggregates_its_quarters() -> None:
    text = QUARTER.replace("period: quarter", "period: year").replace(
        "加权: {of: score, how: weighted, weights: [1, 1, 2]}",
        "加权: {of: score, how: weighted, over: quarter, weights: [1, 1, 1, 1]}",
    )
    history = [
        PeriodResult("2026-Q1", Decimal("70")),
        PeriodResult("2026-Q3", Decimal("90")),
        PeriodResult("2026-10", Decimal("60")),
    ]
    values = _values(text, "2026", history)
    assert values["加权"] == Decimal("80")  # (70 + 90) / 2: Q2 and Q4 without a result
    assert values["平均"] == Decimal("60")  # the months: only October


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("period: quarter", "period: month"), "only a quarter or year template aggregates"),
        (("[1, 1, 2]", "[1, 2]"), "needs 3 weights, one per month, not 2"),
        (("[1, 1, 2]", "[0, 0, 0]"), "add up to more than 0"),
        (("{of: score, how: average}", "{of: grade, how: average}"), "grades are counted"),
        (("{of: score, how: last}", "{of: score, how: last, over: quarter}"), "aggregates shorter periods"),
        (("{of: score, how: min}", "{of: score, how: min, grades: [优秀]}"), "grades go with how: count"),
        (
            ("{of: score, how: max}", "{of: score, how: max, weights: [1, 1, 1]}"),
            "needs weights, and weights need",
        ),
        (("  平均:", "  score:"), "cannot be a variable's name"),
        (("{of: score, how: average}", "{of: score, how: median}"), "how"),
    ],
)
def test_a_wrong_aggregate_is_refused_with_its_path(change: tuple[str, str], message: str) -> None:
    with pytest.raises(TemplateError) as raised:
        load_template_text(QUARTER.replace(*change), "q.yaml")
    assert message in str(raised.value)
    assert "aggregate" in str(raised.value)
