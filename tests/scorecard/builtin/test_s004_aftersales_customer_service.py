"""Golden tests of the built-in template s004-aftersales-customer-service (售后客服, 示例卡).

Every expected number is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from ruamel.yaml import YAML

from shopkpi.scorecard import EmployeeInput, builtin_template_dir, load_template_file, score

PATH = builtin_template_dir() / "s004-aftersales-customer-service.yaml"
MARKER = "（示例卡：种子文件只列出岗位名称，未给出指标细节，以下为合理设定）"

GOLDEN_VALUES = {
    "refund_rate": Decimal("0.04"),
    "售后工单数": Decimal("200"),
    "按时处理工单数": Decimal("190"),
    "bad_review_rate": Decimal("0.015"),
    "cs_first_response_seconds": Decimal("18"),
    "中差评处理数": Decimal("20"),
    "中差评修改数": Decimal("9"),
    "平台介入次数": Decimal("1"),
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
    # 0.04 -> (3%, 5%] -> 80; 20 * 80 / 100 = 16
    assert points["refund_rate"] == Decimal("16")
    # 190 / 200 = 0.95 -> [95%, 98%) -> 80; 25 * 80 / 100 = 20
    assert points["ticket_timeliness"] == Decimal("20")
    # 0.015 -> (1%, 2%] -> 80; 15 * 80 / 100 = 12
    assert points["bad_review_rate"] == Decimal("12")
    # 18 s -> "<= 20" -> 100; 10 * 100 / 100 = 10
    assert points["first_response"] == Decimal("10")
    # 9 / 20 = 0.45; 0.45 / 50% = 0.9; 10 * 0.9 = 9
    assert points["review_recovery"] == Decimal("9")
    # 良 -> 80; 20 * 80 / 100 = 16
    assert points["attitude"] == Decimal("16")
    # 1 escalation: -min(20, 5 * 1) = -5
    assert points["escalations"] == Decimal("-5")
    # 16 + 20 + 12 + 10 + 9 + 16 - 5 = 78.0
    assert result.score == Decimal("78.0")
    assert result.grade == "合格"  # [60, 80)
    assert result.pay is None
    assert result.actions == ()


def test_edges(template):
    values = dict(
        GOLDEN_VALUES,
        refund_rate=Decimal("0.03"),  # exactly "<= 3%"
        售后工单数=Decimal("0"),  # no ticket this month
        按时处理工单数=Decimal("0"),
        中差评处理数=Decimal("0"),  # no 中差评 to handle
        中差评修改数=Decimal("0"),
        bad_review_rate=Decimal("0.02"),  # exactly the top of (1%, 2%]
    )
    result = _score(template, values)
    assert result.item("refund_rate").points == Decimal("20")  # 100; 20 * 100 / 100 = 20
    assert result.item("ticket_timeliness").points == Decimal("25")  # no ticket -> 1 -> ">= 98%" -> 100; 25
    assert result.item("review_recovery").points == Decimal("10")  # none -> 1; 1 / 50% = 2 -> capped 1; 10
    assert result.item("bad_review_rate").points == Decimal("12")  # (1%, 2%] -> 80; 15 * 80 / 100 = 12


def test_missing_variable_makes_the_result_incomplete(template):
    values = {k: v for k, v in GOLDEN_VALUES.items() if k != "bad_review_rate"}
    result = _score(template, values)
    assert result.status == "incomplete"
    assert result.missing == ("bad_review_rate",)
    assert result.score is None
