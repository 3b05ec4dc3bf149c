"""Golden tests of the built-in template s004-designer (美工, 示例卡).

Every expected number is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from ruamel.yaml import YAML

from shopkpi.scorecard import EmployeeInput, builtin_template_dir, load_template_file, score

PATH = builtin_template_dir() / "s004-designer.yaml"
MARKER = "（示例卡：种子文件只列出岗位名称，未给出指标细节，以下为合理设定）"

GOLDEN_VALUES = {
    "task_on_time_rate": Decimal("0.97"),
    "task_pass_rate": Decimal("0.78"),
    "task_errors": Decimal("1"),
    "ctr": Decimal("0.031"),
}
GOLDEN_RATINGS = {"design_quality": "良"}


@pytest.fixture(scope="module")
def template():
    return load_template_file(PATH)


def _score(template, values, ratings=GOLDEN_RATINGS):
    return score(template, EmployeeInput(employee="E1", period="2026-10", values=values, ratings=ratings))


def test_template_loads(template):
    assert template is not None


def test_every_description_says_it_is_an_example():
    doc = YAML(typ="safe").load(PATH.read_text(encoding="utf-8"))
    assert MARKER in PATH.read_text(encoding="utf-8").split("\nid:")[0]  # the YAML comment
    assert MARKER in doc["description"]
    assert all(MARKER in item["description"] for item in doc["items"])


def test_golden_month(template):
    result = _score(template, GOLDEN_VALUES)
    assert result.status == "ok"
    points = {item.key: item.points for item in result.items}
    # 0.97 -> ">= 95%" -> 100; 30 * 100 / 100 = 30
    assert points["on_time"] == Decimal("30")
    # 0.78 -> [70%, 80%) -> 60; 20 * 60 / 100 = 12
    assert points["pass_rate"] == Decimal("12")
    # 1 error: max(0, 15 - 3 * 1) = 12
    assert points["errors"] == Decimal("12")
    # 0.031 -> [3%, 5%) -> 80; 15 * 80 / 100 = 12
    assert points["click_through"] == Decimal("12")
    # 良 -> 80; 20 * 80 / 100 = 16
    assert points["design_quality"] == Decimal("16")
    # 30 + 12 + 12 + 12 + 16 = 82.0
    assert result.score == Decimal("82.0")
    assert result.grade == "良好"  # [80, 90)
    assert result.pay is None
    assert result.actions == ()


@pytest.mark.parametrize(
    ("ctr", "points"),
    [
        ("0.05", "15"),  # exactly ">= 5%" -> 100; 15
        ("0.0499", "12"),  # [3%, 5%) -> 80; 12
        ("0.02", "9"),  # exactly the lower edge of [2%, 3%) -> 60; 9
        ("0.0199", "4.5"),  # "< 2%" -> 30; 15 * 30 / 100 = 4.5
    ],
)
def test_ctr_band_edges(template, ctr, points):
    result = _score(template, dict(GOLDEN_VALUES, ctr=Decimal(ctr)))
    assert result.item("click_through").points == Decimal(points)


def test_missing_variable_makes_the_result_incomplete(template):
    values = {k: v for k, v in GOLDEN_VALUES.items() if k != "ctr"}
    result = _score(template, values)
    assert result.status == "incomplete"
    assert result.missing == ("click_through",)
    assert result.score is None
