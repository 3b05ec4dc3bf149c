"""Golden test of the built-in template s000-campaign-planner (活动策划专员, seed 000).

Every expected number is worked out by hand in the comment beside it, never by the engine.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopkpi.scorecard import EmployeeInput, Template, builtin_template_dir, load_template_file, score

PATH = builtin_template_dir() / "s000-campaign-planner.yaml"

VALUES = {
    "活动页面点击次数": Decimal("9000"),
    "活动页面UV量": Decimal("6000"),
    "平均点击率目标": Decimal("2"),
    "活动订单数": Decimal("300"),
    "活动期间订单数": Decimal("1000"),
    "活动订单比例目标": Decimal("0.4"),
    "活动成交额": Decimal("24000"),
    "活动期间成交额": Decimal("100000"),
    "活动成交人数": Decimal("240"),
    "conversion_rate": Decimal("0.025"),
    "活动投入成本": Decimal("8000"),
    "活动ROI目标": Decimal("4"),
}


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template_file(PATH)


def _employee(values: dict[str, Decimal]) -> EmployeeInput:
    return EmployeeInput(employee="E003", period="2026-11", values=values)


def test_the_builtin_file_loads() -> None:
    assert load_template_file(PATH) is not None


def test_worked_example(template: Template) -> None:
    result = score(template, _employee(VALUES))

    assert result.status == "ok"
    # 9000 / 6000 = 1.5 clicks per UV; 1.5 / 2 = 0.75; 20 * 0.75 = 15
    assert result.item("avg_click_rate").points == Decimal("15")
    # 300 / 1000 = 0.3; 0.3 / 0.4 = 0.75; 20 * 0.75 = 15
    assert result.item("activity_order_share").points == Decimal("15")
    # GMV share 24000 / 100000 = 0.24 against order share 0.3: 0.24 / 0.3 = 0.8; 20 * 0.8 = 16
    assert result.item("activity_gmv_share").points == Decimal("16")
    # 240 / 6000 = 0.04 against the shop's 0.025: 1.6, capped at 1 -> 20
    assert result.item("activity_conversion").points == Decimal("20")
    # ROI 24000 / 8000 = 3; 3 / 4 = 0.75; 20 * 0.75 = 15
    assert result.item("activity_roi").points == Decimal("15")
    # 15 + 15 + 16 + 20 + 15 = 81
    assert result.score == Decimal("81")
    assert result.grade is None
    assert result.pay is None
    assert result.actions == ()


def test_the_seed_benchmarks_met_exactly_earn_full_points(template: Template) -> None:
    values = {
        **VALUES,
        "活动成交额": Decimal("30000"),  # GMV share 30000 / 100000 = 0.3 = the order share 0.3
        "活动成交人数": Decimal("150"),  # 150 / 6000 = 0.025 = the shop's conversion rate
    }
    result = score(template, _employee(values))

    assert result.item("activity_gmv_share").points == Decimal("20")  # 0.3 / 0.3 = 1 -> 20
    assert result.item("activity_conversion").points == Decimal("20")  # 0.025 / 0.025 = 1 -> 20
    # ROI is now 30000 / 8000 = 3.75; 3.75 / 4 = 0.9375; 20 * 0.9375 = 18.75
    assert result.item("activity_roi").points == Decimal("18.75")
    # 15 + 15 + 20 + 20 + 18.75 = 88.75 -> 88.8
    assert result.score == Decimal("88.8")


def test_without_the_shops_conversion_rate_the_result_is_incomplete(template: Template) -> None:
    values = {k: v for k, v in VALUES.items() if k != "conversion_rate"}
    result = score(template, _employee(values))

    assert result.status == "incomplete"
    assert result.missing == ("activity_conversion",)
    assert result.score is None
