"""Every example of the normative spec (../shared/spec/scorecard-format.md) is accepted as written."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from shopkpi.scorecard import EmployeeInput, compile_expression, load_template_text, score

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "scorecard-format.md"
YAML_BLOCKS = re.findall(r"```yaml\n(.*?)```", SPEC.read_text(encoding="utf-8"), flags=re.S)


def test_the_spec_has_the_examples_this_file_checks() -> None:
    assert len(YAML_BLOCKS) == 2  # the complete example, and the pay formulas of the seed documents


def test_the_complete_example_loads_and_scores() -> None:
    template = load_template_text(YAML_BLOCKS[0], "scorecard-format.md")
    assert template.id == "cs-agent"
    result = score(
        template,
        EmployeeInput(
            "E001",
            "2026-10",
            {
                "实际销售额": Decimal(45150),
                "计划销售额": Decimal(60000),
                "平均响应秒数": Decimal(30),
                "差评次数": Decimal(1),
                "销售额": Decimal(80000),
            },
            {"attitude": "良"},
            {"attitude": "优"},
        ),
    )
    # attainment 45150/60000 = 0.7525 -> "[70%, 80%)" -> 85; 40 x 85/100 = 34
    # response 30 s -> "<= 30" -> 100; 20 x 100/100 = 20      incidents 20 - 2 x 1 = 18
    # attitude: supervisor 良 = 80 -> 16; self 优 = 100 -> 20
    # supervisor_total 34 + 20 + 18 + 16 = 88; self_total 34 + 20 + 18 + 20 = 92
    # raw = 0.75 x 88 + 0.25 x 92 = 66 + 23 = 89.0 -> 良好 [80, 95)
    # pay = 500 x 1.2 + 2% x 80000 = 600 + 1600 = 2200.00
    assert result.status == "ok"
    assert [item.points for item in result.items] == [Decimal(34), Decimal(20), Decimal(18), Decimal(16)]
    assert result.score == Decimal("89.0")
    assert result.grade == "良好"
    assert result.pay == Decimal("2200.00")


AMOUNTS = re.findall(r"^amount: (.*)$", YAML_BLOCKS[1], flags=re.M)


@pytest.mark.parametrize("source", AMOUNTS)
def test_each_pay_formula_of_the_spec_compiles(source: str) -> None:
    text = source.strip()
    if text[0] == text[-1] == "'":
        text = text[1:-1]
    expression = compile_expression(text)
    assert "score" in expression.variables


def test_the_spec_lists_four_pay_formulas() -> None:
    assert len(AMOUNTS) == 4


def test_a_proportional_item_with_value_0_and_target_0_is_missing_not_an_error() -> None:
    template = load_template_text(
        "id: p\nname: p\nitems:\n  - {key: a, name: a, weight: 100, value: x, proportional: {target: t}}\n"
    )
    result = score(template, EmployeeInput("E1", "2026-10", {"x": Decimal(0), "t": Decimal(0)}))
    # 0 / 0 has no value: the item is missing, the result incomplete, nothing counted as 0
    assert result.status == "incomplete"
    assert result.missing == ("a",)
