"""Golden test of the built-in template s000-promotion-specialist (推广专员, seed 000).

Every expected number is worked out by hand in the comment beside it, never by the engine.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopkpi.scorecard import EmployeeInput, Template, builtin_template_dir, load_template_file, score

PATH = builtin_template_dir() / "s000-promotion-specialist.yaml"

VALUES = {
    "uv": Decimal("30000"),
    "UV量目标": Decimal("40000"),
    "ctr": Decimal("0.025"),
    "到达率目标": Decimal("0.02"),
    "跳出率": Decimal("0.55"),
    "跳出率目标": Decimal("0.5"),
    "campaign_cost": Decimal("6000"),
    "平均获取成本目标": Decimal("0.25"),
    "orders": Decimal("500"),
    "订单获取成本目标": Decimal("10"),
    "new_uv_ratio": Decimal("0.3"),
    "新访客占比目标": Decimal("0.4"),
}


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template_file(PATH)


def _employee(values: dict[str, Decimal]) -> EmployeeInput:
    return EmployeeInput(employee="E002", period="2026-10", values=values)


def test_the_builtin_file_loads() -> None:
    assert load_template_file(PATH) is not None


def test_worked_example(template: Template) -> None:
    result = score(template, _employee(VALUES))

    assert result.status == "ok"
    assert result.item("uv").points == Decimal("15")  # 30000 / 40000 = 0.75; 20 * 0.75 = 15
    assert result.item("reach_rate").points == Decimal("15")  # 0.025 / 0.02 = 1.25, capped at 1 -> 15
    assert result.item("bounce_rate").points == Decimal("18")  # 2 - 0.55 / 0.5 = 2 - 1.1 = 0.9; 20 * 0.9 = 18
    # 6000 / 30000 = 0.2 元 per UV; 0.2 / 0.25 = 0.8; 2 - 0.8 = 1.2, capped at 1 -> 15
    assert result.item("cost_per_visitor").points == Decimal("15")
    # 6000 / 500 = 12 元 per order; 12 / 10 = 1.2; 2 - 1.2 = 0.8; 15 * 0.8 = 12
    assert result.item("cost_per_order").points == Decimal("12")
    assert result.item("new_uv").points == Decimal("11.25")  # 0.3 / 0.4 = 0.75; 15 * 0.75 = 11.25
    # 15 + 15 + 18 + 15 + 12 + 11.25 = 86.25 -> half-up to one decimal -> 86.3
    assert result.score == Decimal("86.3")
    assert result.grade is None
    assert result.pay is None
    assert result.actions == ()


@pytest.mark.parametrize(
    ("bounce", "points"),
    [
        (Decimal("0.5"), Decimal("20")),  # on target: 2 - 0.5 / 0.5 = 1 -> 20
        (Decimal("0"), Decimal("20")),  # no bounce at all: 2 - 0 = 2, capped at 1 -> 20
        (Decimal("0.75"), Decimal("10")),  # 2 - 0.75 / 0.5 = 0.5; 20 * 0.5 = 10
        (Decimal("1"), Decimal("0")),  # twice the target: 2 - 1 / 0.5 = 0 -> 0
    ],
)
def test_bounce_rate_edges(template: Template, bounce: Decimal, points: Decimal) -> None:
    result = score(template, _employee({**VALUES, "跳出率": bounce}))

    assert result.item("bounce_rate").points == points


def test_a_missing_entered_value_makes_the_result_incomplete(template: Template) -> None:
    values = {k: v for k, v in VALUES.items() if k != "跳出率"}
    result = score(template, _employee(values))

    assert result.status == "incomplete"
    assert result.missing == ("bounce_rate",)
    assert result.score is None
    assert result.pay is None


def test_no_orders_makes_cost_per_order_missing(template: Template) -> None:
    result = score(template, _employee({**VALUES, "orders": Decimal("0")}))

    assert result.status == "incomplete"  # 6000 / 0 cannot be computed
    assert result.missing == ("cost_per_order",)
