"""Golden tests of the built-in template s004-live-stream-operations (直播运营, 示例卡).

Every expected number is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from ruamel.yaml import YAML

from shopkpi.scorecard import EmployeeInput, builtin_template_dir, load_template_file, score

PATH = builtin_template_dir() / "s004-live-stream-operations.yaml"
MARKER = "（示例卡：种子文件只列出岗位名称，未给出指标细节，以下为合理设定）"

GOLDEN_VALUES = {
    "gmv": Decimal("276000"),
    "计划销售额": Decimal("300000"),
    "实际直播场次": Decimal("24"),
    "计划直播场次": Decimal("25"),
    "conversion_rate": Decimal("0.042"),
    "campaign_roi": Decimal("2.6"),
    "refund_rate": Decimal("0.12"),
    "平台违规次数": Decimal("1"),
}
GOLDEN_RATINGS = {"review_report": "良", "teamwork": "优"}


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
    # 276000 / 300000 = 0.92 -> [90%, 100%) -> 85; 30 * 85 / 100 = 25.5
    assert points["live_sales_attainment"] == Decimal("25.5")
    # 24 / 25 = 0.96; 15 * 0.96 = 14.4
    assert points["live_sessions"] == Decimal("14.4")
    # 0.042 -> [3%, 5%) -> 80; 15 * 80 / 100 = 12
    assert points["live_conversion"] == Decimal("12")
    # 2.6 -> [2, 3) -> 80; 15 * 80 / 100 = 12
    assert points["promotion_roi"] == Decimal("12")
    # 0.12 -> (10%, 20%] -> 60; 10 * 60 / 100 = 6
    assert points["live_refund_rate"] == Decimal("6")
    # 良 -> 80; 10 * 80 / 100 = 8
    assert points["review_report"] == Decimal("8")
    # 优 -> 100; 5 * 100 / 100 = 5
    assert points["teamwork"] == Decimal("5")
    # 1 violation: -min(20, 5 * 1) = -5
    assert points["violations"] == Decimal("-5")
    # 25.5 + 14.4 + 12 + 12 + 6 + 8 + 5 - 5 = 77.9
    assert result.score == Decimal("77.9")
    assert result.grade == "合格"  # [60, 80)
    assert result.pay is None
    assert result.actions == ()


def test_edges(template):
    values = dict(
        GOLDEN_VALUES,
        gmv=Decimal("270000"),  # 270000 / 300000 = 0.9, the lower edge of [90%, 100%)
        campaign_roi=Decimal("3"),  # exactly ">= 3"
        refund_rate=Decimal("0.10"),  # exactly "<= 10%"
        平台违规次数=Decimal("5"),  # 5 * 5 = 25 > max 20
    )
    result = _score(template, values)
    assert result.item("live_sales_attainment").points == Decimal("25.5")  # 85; 30 * 85 / 100 = 25.5
    assert result.item("promotion_roi").points == Decimal("15")  # 100; 15 * 100 / 100 = 15
    assert result.item("live_refund_rate").points == Decimal("10")  # 100; 10 * 100 / 100 = 10
    assert result.item("violations").points == Decimal("-20")  # -min(20, 25) = -20
    # 25.5 + 14.4 + 12 + 15 + 10 + 8 + 5 - 20 = 69.9
    assert result.score == Decimal("69.9")
    assert result.grade == "合格"


def test_missing_variable_makes_the_result_incomplete(template):
    values = {k: v for k, v in GOLDEN_VALUES.items() if k != "计划直播场次"}
    result = _score(template, values)
    assert result.status == "incomplete"
    assert result.missing == ("live_sessions",)
    assert result.score is None
    assert result.grade is None
