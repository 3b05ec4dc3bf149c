"""Golden tests of the built-in year cards: the year summary (年度总结考核表) and seed 001's year-end
award (年终特别奖). Every expected number is worked out by hand in the comment beside it."""

from __future__ import annotations

from decimal import Decimal

from shopkpi.scorecard import EmployeeInput, PeriodResult, builtin_template_dir, load_template_file, score

DIR = builtin_template_dir()


def _months(*results: tuple[str, str]) -> list[PeriodResult]:
    return [PeriodResult(f"2026-{n:02d}", Decimal(s), g) for n, (s, g) in enumerate(results, start=1)]


def test_golden_year_summary() -> None:
    template = load_template_file(DIR / "year-card.yaml")
    months = _months(
        ("92", "优秀"), ("85", "良好"), ("78", "合格"), ("55", "不合格"), ("91", "优秀"), ("88", "良好")
    )  # the first half year only (someone who left in July)
    result = score(template, EmployeeInput("E1", "2026", ratings={"year_review": "良"}), months)
    points = {item.key: item.points for item in result.items}
    # (92 + 85 + 78 + 55 + 91 + 88) / 6 = 489 / 6 = 81.5; 60 × 0.815 = 48.9
    assert points["monthly"] == Decimal("48.9")
    assert points["year_review"] == Decimal("32")  # 40 × 80 / 100
    assert points["excellent_months"] == Decimal("2")  # 2 months 优秀, 1 point each
    assert points["poor_months"] == Decimal("-2")  # 1 month 不合格: −min(10, 2 × 1)
    # 48.9 + 32 + 2 − 2 = 80.9 良好
    assert (result.score, result.grade) == (Decimal("80.9"), "良好")


def test_golden_year_end_award() -> None:
    template = load_template_file(DIR / "s001-year-end-award.yaml")
    twelve = [("85", "合格")] * 12
    twelve[3:6] = [("92", "优秀")] * 3  # April to June: three months 优秀 in a row
    twelve[9] = ("95", "优秀")  # and October
    values = {"base_salary": Decimal("5000")}
    result = score(template, EmployeeInput("E1", "2026", values), _months(*twelve))
    # (8 × 85 + 3 × 92 + 95) / 12 = (680 + 276 + 95) / 12 = 1051 / 12 = 87.58333… -> 87.6 合格
    assert (result.score, result.grade) == (Decimal("87.6"), "合格")
    # a run of 3 优秀: 5000 × 10% × 4 months 优秀 = 2000.00
    assert result.pay == Decimal("2000.00") and result.pay_base == Decimal("500.00")
    twelve[4] = ("88", "合格")  # May breaks the run: 优秀 in April, June, October, no three in a row
    broken = score(template, EmployeeInput("E1", "2026", values), _months(*twelve))
    assert broken.pay == Decimal("0.00")
