"""Golden test of the built-in template s000-graphic-designer (平面设计人员, seed 000).

Every expected number is worked out by hand in the comment beside it, never by the engine.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopkpi.scorecard import EmployeeInput, Template, builtin_template_dir, load_template_file, score

PATH = builtin_template_dir() / "s000-graphic-designer.yaml"

VALUES = {
    "task_on_time_rate": Decimal("0.9"),
    "task_pass_rate": Decimal("0.8"),
    "设计日志作品数": Decimal("110"),
    "设计作品数目标": Decimal("100"),
    "实际完成稿件数": Decimal("38"),
    "计划设计稿件数": Decimal("40"),
}


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template_file(PATH)


def _employee(values: dict[str, Decimal]) -> EmployeeInput:
    return EmployeeInput(employee="E005", period="2026-10", values=values)


def test_the_builtin_file_loads() -> None:
    assert load_template_file(PATH) is not None


def test_worked_example(template: Template) -> None:
    result = score(template, _employee(VALUES))

    assert result.status == "ok"
    assert result.item("on_time_rate").points == Decimal("22.5")  # 0.9 / 100% = 0.9; 25 * 0.9 = 22.5
    assert result.item("pass_rate").points == Decimal("20")  # 0.8; 25 * 0.8 = 20
    assert result.item("design_log").points == Decimal("25")  # 110 / 100 = 1.1, capped at 1 -> 25
    assert result.item("plan_attainment").points == Decimal("23.75")  # 38 / 40 = 0.95; 25 * 0.95 = 23.75
    # 22.5 + 20 + 25 + 23.75 = 91.25 -> half-up -> 91.3
    assert result.score == Decimal("91.3")
    assert result.grade is None
    assert result.pay is None
    assert result.actions == ()


def test_exactly_on_target_earns_full_points(template: Template) -> None:
    values = {
        **VALUES,
        "task_on_time_rate": Decimal("1"),  # every task on time: 1 / 100% = 1 -> 25
        "设计日志作品数": Decimal("100"),  # 100 / 100 = 1 -> 25
        "实际完成稿件数": Decimal("40"),  # 40 / 40 = 1 -> 25
    }
    result = score(template, _employee(values))

    assert result.item("on_time_rate").points == Decimal("25")
    assert result.item("design_log").points == Decimal("25")
    assert result.item("plan_attainment").points == Decimal("25")
    assert result.score == Decimal("95")  # 25 + 20 + 25 + 25


def test_a_missing_metric_makes_the_result_incomplete(template: Template) -> None:
    values = {k: v for k, v in VALUES.items() if k != "task_pass_rate"}
    result = score(template, _employee(values))

    assert result.status == "incomplete"
    assert result.missing == ("pass_rate",)
    assert result.score is None


def test_no_planned_drafts_is_missing_not_zero(template: Template) -> None:
    result = score(template, _employee({**VALUES, "计划设计稿件数": Decimal("0")}))

    assert result.status == "incomplete"  # 38 / 0 cannot be computed
    assert result.missing == ("plan_attainment",)
