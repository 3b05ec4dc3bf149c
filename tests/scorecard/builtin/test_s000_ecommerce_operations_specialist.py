"""Golden test of the built-in template s000-ecommerce-operations-specialist (电商运营专员, seed 000).

Every expected number is worked out by hand in the comment beside it, never by the engine.
"""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from shopkpi.scorecard import EmployeeInput, Template, builtin_template_dir, load_template_file, score

PATH = builtin_template_dir() / "s000-ecommerce-operations-specialist.yaml"

# One operator's month: 30,000 visitors, 120,000 page views, 540 buyers, 43,200 元 paid.
VALUES = {
    "pv": Decimal("120000"),
    "PV量目标": Decimal("150000"),
    "pages_per_visitor": Decimal("4"),  # 120000 / 30000
    "人均访问页面量目标": Decimal("4"),
    "buyers": Decimal("540"),
    "成交人数目标": Decimal("600"),
    "conversion_rate": Decimal("0.018"),  # 540 / 30000
    "订单转换率目标": Decimal("0.02"),
    "gmv": Decimal("43200"),
    "计划销售额": Decimal("60000"),
    "avg_stay_seconds": Decimal("75"),
    "平均停留时长目标": Decimal("60"),
    "aov": Decimal("80"),  # 43200 / 540
    "客单价目标": Decimal("100"),
}


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template_file(PATH)


def _employee(values: dict[str, Decimal]) -> EmployeeInput:
    return EmployeeInput(employee="E001", period="2026-10", values=values)


def test_the_builtin_file_loads() -> None:
    assert load_template_file(PATH) is not None


def test_worked_example(template: Template) -> None:
    result = score(template, _employee(VALUES))

    assert result.status == "ok"
    assert result.item("pv").points == Decimal("10")  # 120000 / 150000 = 0.8; 12.5 * 0.8 = 10
    assert result.item("pages_per_visitor").points == Decimal("12.5")  # 4 / 4 = 1 -> full 12.5
    assert result.item("buyers").points == Decimal("11.25")  # 540 / 600 = 0.9; 12.5 * 0.9 = 11.25
    assert result.item("conversion_rate").points == Decimal("11.25")  # 0.018 / 0.02 = 0.9; 12.5 * 0.9
    assert result.item("gmv").points == Decimal("18")  # 43200 / 60000 = 0.72; 25 * 0.72 = 18
    assert result.item("avg_stay").points == Decimal("12.5")  # 75 / 60 = 1.25, capped at 1 -> 12.5
    assert result.item("aov").points == Decimal("10")  # 80 / 100 = 0.8; 12.5 * 0.8 = 10
    # 10 + 12.5 + 11.25 + 11.25 + 18 + 12.5 + 10 = 85.5
    assert result.score == Decimal("85.5")
    assert result.grade is None  # the seed names no grades
    assert result.pay is None  # the seed gives no pay rule for this position
    assert result.actions == ()


def test_gmv_exactly_on_plan_earns_full_points_and_more_earns_no_more(template: Template) -> None:
    on_plan = score(template, _employee({**VALUES, "gmv": Decimal("60000")}))
    over_plan = score(template, _employee({**VALUES, "gmv": Decimal("60001")}))
    nothing = score(template, _employee({**VALUES, "gmv": Decimal("0")}))

    assert on_plan.item("gmv").points == Decimal("25")  # 60000 / 60000 = 1 -> 25
    assert on_plan.score == Decimal("92.5")  # 85.5 - 18 + 25
    assert over_plan.item("gmv").points == Decimal("25")  # 1.0000166.. capped at 1 -> 25
    assert nothing.item("gmv").points == Decimal("0")  # 0 / 60000 = 0 -> 0
    assert nothing.score == Decimal("67.5")  # 85.5 - 18


def test_a_missing_target_makes_the_result_incomplete(template: Template) -> None:
    values = {k: v for k, v in VALUES.items() if k != "计划销售额"}
    result = score(template, _employee(values))

    assert result.status == "incomplete"
    assert result.missing == ("gmv",)
    assert result.score is None
    assert result.grade is None
    assert result.pay is None


def test_a_zero_target_is_missing_not_zero(template: Template) -> None:
    result = score(template, _employee({**VALUES, "客单价目标": Decimal("0")}))

    assert result.status == "incomplete"  # 80 / 0 cannot be computed
    assert result.missing == ("aov",)


def test_check_accepts_every_seed_000_and_002_template() -> None:
    paths = sorted(str(p) for p in builtin_template_dir().glob("s00[02]-*.yaml"))
    assert len(paths) == 8  # s000 方案1–4 (with 库房), s002
    shopkpi = Path(sys.executable).parent / "shopkpi"
    run = subprocess.run([str(shopkpi), "check", *paths], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
