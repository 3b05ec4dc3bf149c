"""Golden test of the built-in template s002-operations-manager (运营经理, seed 002).

Every expected number is worked out by hand in the comment beside it, never by the engine.
The four duties (职责一..四) are rated by the supervisor, 25 points each; the self-review is not counted.
Pay = 1800 × 任务完成系数 (< 65: 0.5, 65..: 1.0, 80..: 1.2, 95..: 1.5) + 团队绩效分成;
奖惩 is added by HR on the pay sheet.
"""

from __future__ import annotations

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

PATH = builtin_template_dir() / "s002-operations-manager.yaml"

KEYS = ("targets_and_plans", "shop_operations", "team_coordination", "repeat_customers")
VALUES = {"团队绩效分成": Decimal("1500")}


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template_file(PATH)


def _employee(ratings: dict[str, Decimal], period: str = "2026-10", **self_ratings: Decimal) -> EmployeeInput:
    return EmployeeInput(
        employee="M001", period=period, values=VALUES, ratings=ratings, self_ratings=self_ratings
    )


def _all(rating: str) -> dict[str, Decimal]:
    return dict.fromkeys(KEYS, Decimal(rating))


def test_the_builtin_file_loads() -> None:
    assert load_template_file(PATH) is not None


def test_pay_is_a_whole_wage_by_design() -> None:
    # the seed's "工资制度:底薪为1800元,根据任务完成系数和团队绩效分成以及奖惩进行调整" is the whole wage (底薪 × 系数 + …), not a performance part on top of one
    template = load_template_file(PATH)
    assert template.pay_kind == "wage"
    assert template.pay_base is None


def test_worked_example(template: Template) -> None:
    ratings = {
        "targets_and_plans": Decimal("90"),
        "shop_operations": Decimal("80"),
        "team_coordination": Decimal("85"),
        "repeat_customers": Decimal("70"),
    }
    result = score(template, _employee(ratings, **_all("100")))  # the self-review says 100 everywhere

    assert result.status == "ok"
    assert result.item("targets_and_plans").points == Decimal("22.5")  # 25 * 90 / 100
    assert result.item("shop_operations").points == Decimal("20")  # 25 * 80 / 100
    assert result.item("team_coordination").points == Decimal("21.25")  # 25 * 85 / 100
    assert result.item("repeat_customers").points == Decimal("17.5")  # 25 * 70 / 100
    # 22.5 + 20 + 21.25 + 17.5 = 81.25 -> half-up -> 81.3; the self ratings of 100 are not counted
    assert result.score == Decimal("81.3")
    assert result.grade is None
    # 81.3 in [80, 95) -> 1.2: 1800 * 1.2 = 2160; + 团队绩效分成 1500 = 3660.00
    assert result.pay == Decimal("3660.00")
    assert result.actions == ()


@pytest.mark.parametrize(
    ("rating", "final", "pay"),
    [
        ("64.95", Decimal("65"), Decimal("3300")),  # 4 * 25 * 0.6495 = 64.95 -> 65.0 -> 1800 * 1.0 + 1500
        ("80", Decimal("80"), Decimal("3660")),  # 80 -> 1800 * 1.2 + 1500 = 2160 + 1500
        ("95", Decimal("95"), Decimal("4200")),  # 95 -> 1800 * 1.5 + 1500 = 2700 + 1500
        ("64.9", Decimal("64.9"), Decimal("2400")),  # 64.9 -> 1800 * 0.5 + 1500 = 900 + 1500
    ],
)
def test_task_completion_coefficient_edges(
    template: Template, rating: str, final: Decimal, pay: Decimal
) -> None:
    result = score(template, _employee(_all(rating)))

    assert result.score == final
    assert result.pay == pay


def test_a_missing_rating_makes_the_result_incomplete(template: Template) -> None:
    ratings = {k: v for k, v in _all("80").items() if k != "repeat_customers"}
    result = score(template, _employee(ratings))

    assert result.status == "incomplete"
    assert result.missing == ("repeat_customers",)
    assert result.score is None
    assert result.pay is None


def test_two_months_below_65_fire_dismissal_once(template: Template) -> None:
    low = _employee(_all("60"))  # 4 * 25 * 0.6 = 60
    result = score(template, low, [PeriodResult(period="2026-09", score=Decimal("62"))])

    assert result.score == Decimal("60")
    assert result.pay == Decimal("2400.00")  # 1800 * 0.5 + 1500 = 900 + 1500
    assert result.actions == ("辞退",)

    longer = [
        PeriodResult(period="2026-08", score=Decimal("50")),
        PeriodResult(period="2026-09", score=Decimal("62")),
    ]
    # the run reached 2 in 2026-09 (辞退 then); the same run going on raises nothing again
    assert score(template, low, longer).actions == ()


def test_the_run_crosses_the_new_year(template: Template) -> None:
    january = _employee(_all("60"), period="2027-01")
    history = [PeriodResult(period="2026-12", score=Decimal("64.9"))]

    assert score(template, january, history).actions == ("辞退",)  # 2026-12 and 2027-01 are consecutive


def test_one_low_month_after_a_pass_fires_nothing(template: Template) -> None:
    history = [PeriodResult(period="2026-09", score=Decimal("65"))]

    assert score(template, _employee(_all("60")), history).actions == ()
