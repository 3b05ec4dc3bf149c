"""The engine explains an item as data; the pages word it in shop words, in either language."""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal

from django.utils import translation

from shopkpi.scorecard import EmployeeInput, Explanation, explain_item, load_template_text, score
from shopkpi.web.pages.common import explanations

TEMPLATE = load_template_text(
    textwrap.dedent(
        """\
        id: shop
        name: 运营
        period: month
        rounding: 1
        items:
          - key: sales
            name: 销售完成率
            weight: 20%
            value: gmv / 销售目标
            bands: {">= 80%": 100, "[60%, 80%)": 60, "< 60%": 0}
          - key: traffic
            name: 访客
            weight: 30%
            value: uv
            proportional: {target: 访客目标}
          - key: errors
            name: 差错
            weight: 10%
            value: task_errors
            deduct: 4
          - key: attitude
            name: 工作态度
            weight: 40%
            rated_by: supervisor
            levels: {优: 100, 良: 80, 中: 60}
        """
    )
)
VALUES = {
    "gmv": Decimal("372562.77"),
    "销售目标": Decimal("332000"),
    "uv": Decimal("152000"),
    "访客目标": Decimal("152900"),
    "task_errors": Decimal("3"),
}


def _words(key: str, values: dict[str, object] = VALUES, ratings: dict[str, object] | None = None) -> str:
    result = score(TEMPLATE, EmployeeInput("E1", "2026-10", values, ratings or {"attitude": "良"}))
    stored = explain_item(result.item(key), values).to_json()
    # what is stored survives JSON and holds no words, only codes and numbers
    assert Explanation.from_json(json.loads(json.dumps(stored))) == explain_item(result.item(key), values)
    return explanations.words(stored)


def test_a_banded_ratio_reads_in_yuan_and_percent() -> None:
    with translation.override("zh-hans"):
        # 372562.77 / 332000 = 1.12217... -> 112.2%; band >= 80% -> 100; 20 * 100 / 100 = 20.0
        assert _words("sales") == (
            "支付金额 ¥372,562.77 / 销售目标 ¥332,000.00 = 112.2%，落在 ≥ 80% 档 → 100 分 × 权重 20% = 20.0 分"
        )
    with translation.override("en"):
        assert _words("sales") == (
            "GMV ¥372,562.77 / 销售目标 ¥332,000.00 = 112.2%, in the band ≥ 80% → 100 × weight 20% = 20.0 points"
        )


def test_a_proportional_item_names_its_unit_and_target() -> None:
    with translation.override("zh-hans"):
        # 152000 / 152900 = 0.99411... -> 99.4%; 30 * 0.99411 = 29.82 -> 29.8
        assert _words("traffic") == "访客数 152,000 人 / 目标 152,900 人 = 99.4% → 权重 30% × 99.4% = 29.8 分"


def test_deduct_and_rated_items() -> None:
    with translation.override("zh-hans"):
        # 10 - 4 * 3 = -2 -> 0 (not below 0)
        assert _words("errors") == "差错数 3 次，每单位扣 4 分：10 − 12 = 0.0 分（扣完为止）"
        # 良 = 80; 40 * 80 / 100 = 32
        assert _words("attitude") == "上级评分 良（80 分） × 权重 40% = 32.0 分"


def test_a_missing_value_is_a_reason_code_worded_by_the_page() -> None:
    values = {k: v for k, v in VALUES.items() if k != "uv"}
    result = score(TEMPLATE, EmployeeInput("E1", "2026-10", values, {"attitude": "良"}))
    stored = explain_item(result.item("traffic"), values).to_json()
    assert stored["missing"] == {"code": "no_value", "params": {"name": "uv"}}
    with translation.override("zh-hans"):
        assert explanations.words(stored) == "未计分：缺少数据：访客数"
    with translation.override("en"):
        assert explanations.words(stored) == "Not scored: No value for Unique visitors"


def test_a_sentence_stored_by_an_older_version_is_shown_as_written() -> None:
    assert explanations.words("上级评分 80；20 × 80 / 100 = 16") == "上级评分 80；20 × 80 / 100 = 16"


def _measured(key: str, ratings: dict[str, object] | None = None) -> explanations.Measured:
    result = score(TEMPLATE, EmployeeInput("E1", "2026-10", VALUES, ratings or {"attitude": "良"}))
    return explanations.measured(explain_item(result.item(key), VALUES).to_json())


def test_what_an_item_measured_for_the_scorecards_columns() -> None:
    # a ratio over a target: 实际值 gmv, 目标 销售目标, 完成率 372562.77 / 332000 = 1.12217…
    sales = _measured("sales")
    assert (sales.actual, sales.target, sales.unit) == (Decimal("372562.77"), Decimal("332000"), "yuan")
    assert sales.texts() == ("¥372,562.77", "¥332,000.00", "112.2%")
    # proportional: uv 152,000 of 152,900 = 99.4%
    assert _measured("traffic").texts() == ("152,000 人", "152,900 人", "99.4%")
    # a count: the value alone; a rating measured nothing
    assert _measured("errors").texts() == ("3 次", "", "")
    assert _measured("attitude") == explanations.Measured()
