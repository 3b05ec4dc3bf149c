"""Golden tests of the built-in template s004-ecommerce-operations (电商运营, 电商运营绩效考核标准).

Every expected number is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopkpi.scorecard import EmployeeInput, builtin_template_dir, load_template_file, score

PATH = builtin_template_dir() / "s004-ecommerce-operations.yaml"

GOLDEN_VALUES = {
    "gmv": Decimal("45150"),
    "目标销售额": Decimal("50000"),
    "order_growth": Decimal("0.08"),
    "订单增长率目标": Decimal("0.10"),
    "uv": Decimal("9000"),
    "访客数目标": Decimal("10000"),
    "pv": Decimal("36000"),
    "浏览量目标": Decimal("30000"),
    "orders": Decimal("630"),
    "好评数": Decimal("900"),
    "总评价数": Decimal("1000"),
    "好评率目标": Decimal("0.96"),
    "投诉数量": Decimal("4"),
    "投诉总处理时长": Decimal("30"),
    "投诉处理时限": Decimal("6"),
    "满意投诉数量": Decimal("3"),
    "投诉满意度目标": Decimal("0.8"),
    "活动页面访问量": Decimal("7200"),
    "活动参与度目标": Decimal("0.25"),
    "campaign_roi": Decimal("2.4"),
    "活动投入产出比目标": Decimal("3"),
}
GOLDEN_RATINGS = {"data_report": "较准确-4分", "teamwork": "积极协作"}


@pytest.fixture(scope="module")
def template():
    return load_template_file(PATH)


def _score(template, values, ratings=GOLDEN_RATINGS):
    return score(template, EmployeeInput(employee="E1", period="2026-10", values=values, ratings=ratings))


def test_template_loads(template):
    assert template is not None


def test_golden_month(template):
    result = _score(template, GOLDEN_VALUES)
    assert result.status == "ok"
    points = {item.key: item.points for item in result.items}
    # 45150 / 50000 = 0.903; 20 * 0.903 = 18.06
    assert points["sales_attainment"] == Decimal("18.06")
    # 0.08 / 0.10 = 0.8; 10 * 0.8 = 8
    assert points["order_increase"] == Decimal("8")
    # 9000 / 10000 = 0.9; 8 * 0.9 = 7.2
    assert points["unique_visitors"] == Decimal("7.2")
    # 36000 / 30000 = 1.2 -> capped at 1; 7 * 1 = 7
    assert points["page_views"] == Decimal("7")
    # 630 / 9000 = 0.07; 0.07 / 35% = 0.2; 15 * 0.2 = 3
    assert points["conversion"] == Decimal("3")
    # 900 / 1000 = 0.9; 0.9 / 0.96 = 0.9375; 5 * 0.9375 = 4.6875
    assert points["positive_review_rate"] == Decimal("4.6875")
    # 30 / 4 = 7.5 hours; 7.5 / 6 = 1.25 -> "> 1" -> 50; 2 * 50 / 100 = 1 (低于扣1分)
    assert points["complaint_timeliness"] == Decimal("1")
    # 3 / 4 = 0.75; 0.75 / 0.8 = 0.9375; 3 * 0.9375 = 2.8125
    assert points["complaint_satisfaction"] == Decimal("2.8125")
    # 7200 / 36000 = 0.2; 0.2 / 0.25 = 0.8; 10 * 0.8 = 8
    assert points["campaign_participation"] == Decimal("8")
    # 2.4 / 3 = 0.8; 10 * 0.8 = 8
    assert points["campaign_return"] == Decimal("8")
    # 较准确-4分 -> 80; 5 * 80 / 100 = 4
    assert points["data_report"] == Decimal("4")
    # 积极协作 -> 100; 5 * 100 / 100 = 5
    assert points["teamwork"] == Decimal("5")
    # 18.06 + 8 + 7.2 + 7 + 3 + 4.6875 + 1 + 2.8125 + 8 + 8 + 4 + 5 = 76.76 -> 76.8
    assert result.score == Decimal("76.8")
    assert result.grade is None  # the seed gives no grades
    assert result.pay is None  # nor pay
    assert result.actions == ()


def test_edges(template):
    values = dict(
        GOLDEN_VALUES,
        orders=Decimal("3150"),  # 3150 / 9000 = 0.35, exactly the seed's 35%
        投诉总处理时长=Decimal("24"),  # 24 / 4 = 6 hours = the limit: 6 / 6 = 1 -> "<= 1"
        order_growth=Decimal("-0.05"),  # orders fell: -0.05 / 0.10 = -0.5 -> clamped to 0
    )
    result = _score(template, values)
    # 0.35 / 35% = 1; 15 * 1 = 15
    assert result.item("conversion").points == Decimal("15")
    # 1 -> "<= 1" -> 100; 2 * 100 / 100 = 2
    assert result.item("complaint_timeliness").points == Decimal("2")
    # clamp(-0.5, 0, 1) = 0; 10 * 0 = 0
    assert result.item("order_increase").points == Decimal("0")


def test_month_without_complaints_scores_both_complaint_items_in_full(template):
    values = dict(
        GOLDEN_VALUES, 投诉数量=Decimal("0"), 投诉总处理时长=Decimal("0"), 满意投诉数量=Decimal("0")
    )
    result = _score(template, values)
    # no complaint: value 0 -> "<= 1" -> 100; 2 * 100 / 100 = 2
    assert result.item("complaint_timeliness").points == Decimal("2")
    # no complaint: value 1 -> 1 / 100% = 1; 3 * 1 = 3
    assert result.item("complaint_satisfaction").points == Decimal("3")


def test_rating_entered_as_a_number_inside_the_seed_range(template):
    # the seed's "得2-4分": 3 points of 5 entered as 60
    result = _score(
        template, GOLDEN_VALUES, ratings={"data_report": Decimal("60"), "teamwork": "协作不佳-扣3分"}
    )
    assert result.item("data_report").points == Decimal("3")  # 5 * 60 / 100 = 3
    assert result.item("teamwork").points == Decimal("2")  # 协作不佳-扣3分 -> 40; 5 * 40 / 100 = 2


def test_missing_target_makes_the_result_incomplete(template):
    values = {k: v for k, v in GOLDEN_VALUES.items() if k != "访客数目标"}
    result = _score(template, values)
    assert result.status == "incomplete"
    assert result.missing == ("unique_visitors",)
    assert result.score is None
    assert result.pay is None
