"""Golden tests of the built-in quarter card (季度考核表): the quarter's months aggregated.

Every expected number is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopkpi.scorecard import EmployeeInput, PeriodResult, builtin_template_dir, load_template_file, score

PATH = builtin_template_dir() / "quarter-card.yaml"
MONTHS = [
    PeriodResult("2026-07", Decimal("88.0"), "良好"),
    PeriodResult("2026-08", Decimal("91.5"), "优秀"),
    PeriodResult("2026-09", Decimal("93.0"), "优秀"),
]


@pytest.fixture(scope="module")
def template():
    return load_template_file(PATH)


def test_golden_quarter(template) -> None:
    result = score(template, EmployeeInput("E1", "2026-Q3", ratings={"quarter_review": "良"}), MONTHS)
    points = {item.key: item.points for item in result.items}
    # weighted: (30%×88 + 30%×91.5 + 40%×93) / (30% + 30% + 40%) = (26.4 + 27.45 + 37.2) / 1 = 91.05
    # 70 × min(91.05 / 100, 1) = 63.735
    assert points["monthly"] == Decimal("63.735")
    # 良 = 80: 30 × 80 / 100 = 24
    assert points["quarter_review"] == Decimal("24")
    # 2 months 优秀: min(6, 2 × floor((2 − 0) / 1)) = 4
    assert points["excellent_months"] == Decimal("4")
    # 63.735 + 24 + 4 = 91.735 -> 91.7, 优秀 (>= 90)
    assert (result.score, result.grade, result.pay) == (Decimal("91.7"), "优秀", None)


def test_a_month_without_a_result_is_left_out(template) -> None:
    # joined in August: (30%×91.5 + 40%×93) / 70% = (27.45 + 37.2) / 0.7 = 92.357142857…
    result = score(template, EmployeeInput("E1", "2026-Q3", ratings={"quarter_review": 60}), MONTHS[1:])
    # 70 × 92.357142857… / 100 = 64.65 (to the 28 digits of decimal arithmetic)
    monthly = result.item("monthly").points
    assert monthly is not None and abs(monthly - Decimal("64.65")) < Decimal("1e-20")
    # 64.65 + 60 × 30 / 100 + 4 = 64.65 + 18 + 4 = 86.65 -> 86.7 (half-up) 良好
    assert (result.score, result.grade) == (Decimal("86.7"), "良好")


def test_three_months_excellent_give_the_whole_bonus_and_two_poor_quarters_a_warning(template) -> None:
    months = [PeriodResult(f"2026-0{m}", Decimal("95"), "优秀") for m in (7, 8, 9)]
    best = score(template, EmployeeInput("E1", "2026-Q3", ratings={"quarter_review": "优"}), months)
    # 70 × 0.95 + 30 + min(6, 2 × 3) = 66.5 + 30 + 6 = 102.5 (cap 106)
    assert best.score == Decimal("102.5")
    poor = [PeriodResult(f"2026-0{m}", Decimal("50"), "不合格") for m in (7, 8, 9)]
    history = [*poor, PeriodResult("2026-Q2", Decimal("40"), "不合格")]
    result = score(template, EmployeeInput("E1", "2026-Q3", ratings={"quarter_review": "差"}), history)
    # 70 × 0.5 + 30 × 40 / 100 + 0 = 35 + 12 = 47 不合格; Q2 不合格 too -> 警告
    assert (result.score, result.grade, result.actions) == (Decimal("47.0"), "不合格", ("警告",))
