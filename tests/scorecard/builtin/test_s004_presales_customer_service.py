"""Golden tests of the built-in template s004-presales-customer-service (售前客服, 示例卡).

Every expected number is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from ruamel.yaml import YAML

from shopkpi.scorecard import EmployeeInput, builtin_template_dir, load_template_file, score

PATH = builtin_template_dir() / "s004-presales-customer-service.yaml"
MARKER = "（示例卡：种子文件只列出岗位名称，未给出指标细节，以下为合理设定）"

GOLDEN_VALUES = {
    "cs_conversion_rate": Decimal("0.52"),
    "cs_paid_amount": Decimal("171000"),
    "计划销售额": Decimal("180000"),
    "cs_first_response_seconds": Decimal("12"),
    "cs_avg_response_seconds": Decimal("35"),
    "cs_reply_rate": Decimal("0.99"),
    "客服原因差评次数": Decimal("1"),
}
GOLDEN_RATINGS = {"attitude": "良"}


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
    # 0.52 -> [50%, 60%) -> 85; 35 * 85 / 100 = 29.75
    assert points["inquiry_conversion"] == Decimal("29.75")
    # 171000 / 180000 = 0.95; 20 * 0.95 = 19
    assert points["sales_attainment"] == Decimal("19")
    # 12 s -> (10, 20] -> 80; 15 * 80 / 100 = 12
    assert points["first_response"] == Decimal("12")
    # 35 s -> (30, 60] -> 80; 10 * 80 / 100 = 8
    assert points["average_response"] == Decimal("8")
    # 0.99 -> ">= 98%" -> 100; 10 * 100 / 100 = 10
    assert points["reply_rate"] == Decimal("10")
    # 良 -> 80; 10 * 80 / 100 = 8
    assert points["attitude"] == Decimal("8")
    # 1 bad review: -min(10, 2 * 1) = -2
    assert points["service_bad_reviews"] == Decimal("-2")
    # 29.75 + 19 + 12 + 8 + 10 + 8 - 2 = 84.75 -> half-up 84.8
    assert result.score == Decimal("84.8")
    assert result.grade == "良好"  # [80, 90)
    assert result.pay is None
    assert result.actions == ()


@pytest.mark.parametrize(
    ("seconds", "points"),
    [
        ("10", "15"),  # "<= 10" -> 100; 15
        ("10.1", "12"),  # (10, 20] -> 80; 12
        ("20", "12"),  # (10, 20] -> 80; 12
        ("30", "9"),  # (20, 30] -> 60; 9
        ("31", "0"),  # "> 30" -> 0
    ],
)
def test_first_response_band_edges(template, seconds, points):
    result = _score(template, dict(GOLDEN_VALUES, cs_first_response_seconds=Decimal(seconds)))
    assert result.item("first_response").points == Decimal(points)


def test_conversion_lower_edge(template):
    result = _score(template, dict(GOLDEN_VALUES, cs_conversion_rate=Decimal("0.30")))
    # exactly 30% -> [30%, 40%) -> 50; 35 * 50 / 100 = 17.5
    assert result.item("inquiry_conversion").points == Decimal("17.5")


def test_missing_variable_makes_the_result_incomplete(template):
    values = {k: v for k, v in GOLDEN_VALUES.items() if k != "cs_reply_rate"}
    result = _score(template, values)
    assert result.status == "incomplete"
    assert result.missing == ("reply_rate",)
    assert result.score is None
