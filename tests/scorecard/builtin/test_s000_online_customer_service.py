"""Golden test of the built-in template s000-online-customer-service (在线客服专员, seed 000).

Every expected number is worked out by hand in the comment beside it, never by the engine.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopkpi.scorecard import EmployeeInput, Template, builtin_template_dir, load_template_file, score

PATH = builtin_template_dir() / "s000-online-customer-service.yaml"

VALUES = {
    "cs_first_response_seconds": Decimal("28"),
    "违规用语次数": Decimal("3"),
    "差评次数": Decimal("2"),
    "cs_conversion_rate": Decimal("0.36"),
    "咨询转换率目标": Decimal("0.4"),
    "cs_paid_amount": Decimal("90000"),
    "客服部平均成交金额": Decimal("100000"),
    "成交额转换率目标": Decimal("1"),
    "退单量": Decimal("6"),
    "换单量": Decimal("4"),
    "咨询转换单量": Decimal("400"),
    "退货率目标": Decimal("0.01"),
    "换货率目标": Decimal("0.01"),
    "退款UV量": Decimal("9"),
    "cs_paid_buyers": Decimal("360"),
    "退款率目标": Decimal("0.02"),
}


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template_file(PATH)


def _employee(values: dict[str, Decimal]) -> EmployeeInput:
    return EmployeeInput(employee="E004", period="2026-10", values=values)


def test_the_builtin_file_loads() -> None:
    assert load_template_file(PATH) is not None


def test_worked_example(template: Template) -> None:
    result = score(template, _employee(VALUES))

    assert result.status == "ok"
    assert result.item("response_time").points == Decimal("12.5")  # 28 s in "<= 30" -> 100; 12.5 * 100 / 100
    assert result.item("service_attitude").points == Decimal("12.5")  # 3 in "<= 5" -> 100 -> 12.5
    assert result.item("bad_reviews").points == Decimal("7.5")  # 12.5 - 2.5 * 2 = 7.5
    assert result.item("consult_conversion").points == Decimal("11.25")  # 0.36 / 0.4 = 0.9; 12.5 * 0.9
    # 90000 / 100000 = 0.9 of the department average; 0.9 / 1 = 0.9; 12.5 * 0.9 = 11.25
    assert result.item("sales_conversion").points == Decimal("11.25")
    # 6 / 400 = 0.015; 0.015 / 0.01 = 1.5; 2 - 1.5 = 0.5; 12.5 * 0.5 = 6.25
    assert result.item("return_rate").points == Decimal("6.25")
    # 4 / 400 = 0.01; 0.01 / 0.01 = 1; 2 - 1 = 1 -> 12.5
    assert result.item("exchange_rate").points == Decimal("12.5")
    # 9 / 360 = 0.025; 0.025 / 0.02 = 1.25; 2 - 1.25 = 0.75; 12.5 * 0.75 = 9.375
    assert result.item("refund_rate").points == Decimal("9.375")
    # 12.5 + 12.5 + 7.5 + 11.25 + 11.25 + 6.25 + 12.5 + 9.375 = 83.125 -> 83.1
    assert result.score == Decimal("83.1")
    assert result.grade is None
    assert result.pay is None
    assert result.actions == ()


@pytest.mark.parametrize(
    ("seconds", "points"),
    [
        (Decimal("30"), Decimal("12.5")),  # exactly 30 s is "不超过30秒" -> 100 -> 12.5
        (Decimal("30.5"), Decimal("0")),  # "> 30" -> 0
    ],
)
def test_response_time_edge(template: Template, seconds: Decimal, points: Decimal) -> None:
    result = score(template, _employee({**VALUES, "cs_first_response_seconds": seconds}))

    assert result.item("response_time").points == points


@pytest.mark.parametrize(
    ("count", "points"),
    [
        (Decimal("5"), Decimal("12.5")),  # 5 is "不能超过5次" -> 100 -> 12.5
        (Decimal("6"), Decimal("0")),  # "> 5" -> 0
    ],
)
def test_violations_edge(template: Template, count: Decimal, points: Decimal) -> None:
    result = score(template, _employee({**VALUES, "违规用语次数": count}))

    assert result.item("service_attitude").points == points


@pytest.mark.parametrize(
    ("count", "points"),
    [
        (Decimal("0"), Decimal("12.5")),  # 12.5 - 0 = 12.5
        (Decimal("5"), Decimal("0")),  # 12.5 - 2.5 * 5 = 0
        (Decimal("7"), Decimal("0")),  # 12.5 - 17.5 < 0 -> 0 (扣完为止)
    ],
)
def test_bad_reviews_deduction(template: Template, count: Decimal, points: Decimal) -> None:
    result = score(template, _employee({**VALUES, "差评次数": count}))

    assert result.item("bad_reviews").points == points


def test_a_missing_department_average_makes_the_result_incomplete(template: Template) -> None:
    values = {k: v for k, v in VALUES.items() if k != "客服部平均成交金额"}
    result = score(template, _employee(values))

    assert result.status == "incomplete"
    assert result.missing == ("sales_conversion",)
    assert result.score is None
    assert result.grade is None
