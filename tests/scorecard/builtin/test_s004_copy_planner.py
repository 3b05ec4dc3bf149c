"""Golden tests of the built-in template s004-copy-planner (文案策划, 示例卡).

Every expected number is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from ruamel.yaml import YAML

from shopkpi.scorecard import EmployeeInput, builtin_template_dir, load_template_file, score

PATH = builtin_template_dir() / "s004-copy-planner.yaml"
MARKER = "（示例卡：种子文件只列出岗位名称，未给出指标细节，以下为合理设定）"

GOLDEN_VALUES = {
    "task_on_time_rate": Decimal("0.92"),
    "task_pass_rate": Decimal("0.85"),
    "task_errors": Decimal("2"),
}
GOLDEN_RATINGS = {"content_quality": "良", "attitude": "优"}


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
    # 0.92 -> [90%, 95%) -> 80; 30 * 80 / 100 = 24
    assert points["on_time"] == Decimal("24")
    # 0.85 -> [80%, 90%) -> 80; 25 * 80 / 100 = 20
    assert points["pass_rate"] == Decimal("20")
    # 2 errors: max(0, 15 - 3 * 2) = 9
    assert points["errors"] == Decimal("9")
    # 良 -> 80; 20 * 80 / 100 = 16
    assert points["content_quality"] == Decimal("16")
    # 优 -> 100; 10 * 100 / 100 = 10
    assert points["attitude"] == Decimal("10")
    # 24 + 20 + 9 + 16 + 10 = 79.0
    assert result.score == Decimal("79.0")
    assert result.grade == "合格"  # [60, 80)
    assert result.pay is None
    assert result.actions == ()


@pytest.mark.parametrize(
    ("errors", "points"),
    [
        ("0", "15"),  # 15 - 0 = 15
        ("5", "0"),  # 15 - 15 = 0
        ("6", "0"),  # max(0, 15 - 18) = 0 (扣完为止)
    ],
)
def test_errors_never_below_zero(template, errors, points):
    result = _score(template, dict(GOLDEN_VALUES, task_errors=Decimal(errors)))
    assert result.item("errors").points == Decimal(points)


def test_on_time_edge(template):
    result = _score(template, dict(GOLDEN_VALUES, task_on_time_rate=Decimal("0.95")))
    # exactly 95% -> ">= 95%" -> 100; 30
    assert result.item("on_time").points == Decimal("30")
    # 30 + 20 + 9 + 16 + 10 = 85.0 -> 良好
    assert result.score == Decimal("85.0")
    assert result.grade == "良好"


def test_missing_variable_makes_the_result_incomplete(template):
    values = {k: v for k, v in GOLDEN_VALUES.items() if k != "task_pass_rate"}
    result = _score(template, values)
    assert result.status == "incomplete"
    assert result.missing == ("pass_rate",)
    assert result.score is None
