"""Golden tests of the built-in template s004-live-streamer (电商直播主播, 示例卡).

Every expected number is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from ruamel.yaml import YAML

from shopkpi.scorecard import EmployeeInput, builtin_template_dir, load_template_file, score

PATH = builtin_template_dir() / "s004-live-streamer.yaml"
MARKER = "（示例卡：种子文件只列出岗位名称，未给出指标细节，以下为合理设定）"

GOLDEN_VALUES = {
    "gmv": Decimal("180000"),
    "计划销售额": Decimal("200000"),
    "实际直播时长": Decimal("108"),
    "计划直播时长": Decimal("120"),
    "conversion_rate": Decimal("0.025"),
    "avg_stay_seconds": Decimal("45"),
    "新增粉丝数": Decimal("1500"),
    "涨粉目标": Decimal("2000"),
    "直播违规次数": Decimal("0"),
}
GOLDEN_RATINGS = {"live_performance": "良"}


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
    # 180000 / 200000 = 0.9 -> [90%, 100%) -> 85; 30 * 85 / 100 = 25.5
    assert points["live_sales_attainment"] == Decimal("25.5")
    # 108 / 120 = 0.9; 20 * 0.9 = 18
    assert points["live_hours"] == Decimal("18")
    # 0.025 -> [2%, 3%) -> 60; 15 * 60 / 100 = 9
    assert points["live_conversion"] == Decimal("9")
    # 45 s -> [40, 60) -> 80; 10 * 80 / 100 = 8
    assert points["audience_stay"] == Decimal("8")
    # 1500 / 2000 = 0.75; 10 * 0.75 = 7.5
    assert points["new_fans"] == Decimal("7.5")
    # 良 -> 80; 15 * 80 / 100 = 12
    assert points["live_performance"] == Decimal("12")
    # no violation: -min(30, 10 * 0) = 0
    assert points["violations"] == Decimal("0")
    # 25.5 + 18 + 9 + 8 + 7.5 + 12 + 0 = 80.0, exactly the lower edge of 良好 [80, 90)
    assert result.score == Decimal("80.0")
    assert result.grade == "良好"
    assert result.pay is None
    assert result.actions == ()


@pytest.mark.parametrize(
    ("stay", "points"),
    [
        ("60", "10"),  # ">= 60" -> 100; 10 * 100 / 100 = 10
        ("59.9", "8"),  # [40, 60) -> 80; 8
        ("40", "8"),  # [40, 60) -> 80; 8
        ("20", "6"),  # [20, 40) -> 60; 6
        ("19", "3"),  # "< 20" -> 30; 3
    ],
)
def test_stay_band_edges(template, stay, points):
    result = _score(template, dict(GOLDEN_VALUES, avg_stay_seconds=Decimal(stay)))
    assert result.item("audience_stay").points == Decimal(points)


def test_violations_are_capped(template):
    result = _score(template, dict(GOLDEN_VALUES, 直播违规次数=Decimal("4")))
    # -min(30, 10 * 4) = -30
    assert result.item("violations").points == Decimal("-30")
    # 80 - 30 = 50.0 -> 不合格 (< 60)
    assert result.score == Decimal("50.0")
    assert result.grade == "不合格"


def test_missing_variable_makes_the_result_incomplete(template):
    values = {k: v for k, v in GOLDEN_VALUES.items() if k != "avg_stay_seconds"}
    result = _score(template, values)
    assert result.status == "incomplete"
    assert result.missing == ("audience_stay",)
    assert result.score is None
