"""One test group per scoring rule of the spec's table (spec: "Items").

| rule         | points of the item                                               |
| bands        | weight × rating / 100, rating from the band that holds the value |
| proportional | weight × clamp(value / T, 0, 1)                                   |
| deduct       | max(0, weight − N × value)                                        |
| rated_by     | weight × rating / 100; rating a number 0..100 or a level name     |
| bonus        | min(M, P × floor((value − B) / S)) when value > B, else 0         |
| penalty      | −min(M, N × value)                                                |

Every expected number is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import textwrap
from decimal import Decimal

import pytest

from shopkpi.scorecard import EmployeeInput, ScoreResult, Template, load_template_text, score

D = Decimal


def run(
    template: Template,
    values: dict[str, str] | None = None,
    ratings: dict[str, str] | None = None,
    self_ratings: dict[str, str] | None = None,
) -> ScoreResult:
    def rating(raw: str) -> Decimal | str:
        try:
            return D(raw)
        except ArithmeticError:
            return raw  # a level name

    return score(
        template,
        EmployeeInput(
            employee="E001",
            period="2026-10",
            values={k: D(v) for k, v in (values or {}).items()},
            ratings={k: rating(v) for k, v in (ratings or {}).items()},
            self_ratings={k: rating(v) for k, v in (self_ratings or {}).items()},
        ),
    )


# --- bands ----------------------------------------------------------------------------------

BANDS = load_template_text(
    textwrap.dedent(
        """
        id: bands
        name: 区间评分
        items:
          - key: attainment
            name: 指标完成率
            weight: 40%
            value: 实际销售额 / 计划销售额
            bands:
              ">= 80%": 100
              "[70%, 80%)": 85
              "[60%, 70%)": 70
              "[50%, 60%)": 55
              "[40%, 50%)": 40
              "< 40%": 0
          - key: response
            name: 旺旺平均响应时间(秒)
            weight: 60%
            value: 平均响应秒数
            bands: {"<= 30": 100, "(30, 60]": 80, "(60, 120]": 60, "> 120": 0}
        """
    )
)


@pytest.mark.parametrize(
    ("actual", "planned", "rating", "points"),
    [
        ("48000", "60000", "100", "40"),  # 48000 / 60000 = 0.8 exactly = 80% → ">= 80%" → 40 × 100 / 100 = 40
        ("47999", "60000", "85", "34"),  # 0.79998… → [70%, 80%) → 40 × 85 / 100 = 34
        ("47000", "60000", "85", "34"),  # 0.78333… → [70%, 80%) → 34
        ("42000", "60000", "85", "34"),  # 0.7 exactly → [70%, 80%) (closed left end) → 34
        ("41999", "60000", "70", "28"),  # 0.69998… → [60%, 70%) → 40 × 70 / 100 = 28
        ("30000", "60000", "55", "22"),  # 0.5 → [50%, 60%) → 40 × 55 / 100 = 22
        ("24000", "60000", "40", "16"),  # 0.4 → [40%, 50%) → 40 × 40 / 100 = 16
        ("23999", "60000", "0", "0"),  # 0.39998… → "< 40%" → 0
        ("90000", "60000", "100", "40"),  # 1.5 → ">= 80%" → 40
    ],
)
def test_bands_attainment(actual: str, planned: str, rating: str, points: str) -> None:
    result = run(
        BANDS,
        {"实际销售额": actual, "计划销售额": planned, "平均响应秒数": "10"},
    )
    item = result.item("attainment")
    assert item.rating == D(rating)
    assert item.points == D(points)


def test_bands_value_is_kept_at_full_precision() -> None:
    # 47000 / 60000 = 0.7833333333333333333333333333 (28 significant digits)
    result = run(BANDS, {"实际销售额": "47000", "计划销售额": "60000", "平均响应秒数": "10"})
    assert result.item("attainment").value == D("0.7833333333333333333333333333")


@pytest.mark.parametrize(
    ("seconds", "rating", "points"),
    [
        ("0", "100", "60"),  # "<= 30" → 60 × 100 / 100 = 60
        ("30", "100", "60"),  # exactly 30 s: "<= 30" is closed → 60
        ("30.01", "80", "48"),  # "(30, 60]" (open left end) → 60 × 80 / 100 = 48
        ("60", "80", "48"),  # exactly 60 s: "(30, 60]" is closed on the right → 48
        ("60.5", "60", "36"),  # "(60, 120]" → 60 × 60 / 100 = 36
        ("120", "60", "36"),  # exactly 120 s: still "(60, 120]" → 36
        ("121", "0", "0"),  # "> 120" → 0
    ],
)
def test_bands_response_time_boundaries(seconds: str, rating: str, points: str) -> None:
    result = run(BANDS, {"实际销售额": "1", "计划销售额": "1", "平均响应秒数": seconds})
    item = result.item("response")
    assert item.rating == D(rating)
    assert item.points == D(points)


def test_bands_total() -> None:
    # attainment 0.8 → 40; response 45 s → 48; total 40 + 48 = 88 → 88.0 at one decimal
    result = run(BANDS, {"实际销售额": "48000", "计划销售额": "60000", "平均响应秒数": "45"})
    assert result.status == "ok"
    assert result.score == D("88.0")
    assert str(result.score) == "88.0"


# --- proportional ---------------------------------------------------------------------------

PROPORTIONAL = load_template_text(
    textwrap.dedent(
        """
        id: proportional
        name: 按比例
        items:
          - key: sales
            name: 销售额完成率
            weight: 20
            value: 销售额
            proportional: {target: 60000}
          - key: orders
            name: 订单量
            weight: 80
            value: 订单量
            proportional: {target: 目标订单量}
        """
    )
)


@pytest.mark.parametrize(
    ("sales", "points"),
    [
        ("45150", "15.05"),  # 45150 / 60000 = 0.7525; 20 × 0.7525 = 15.05 exactly
        ("60000", "20"),  # 60000 / 60000 = 1 → 20 (达到目标得满分)
        ("90000", "20"),  # 1.5 clamped to 1 → 20
        ("0", "0"),  # 0 / 60000 = 0 → 0
        ("-3000", "0"),  # −0.05 clamped to 0 → 0
        ("30000", "10"),  # 0.5 → 20 × 0.5 = 10
    ],
)
def test_proportional(sales: str, points: str) -> None:
    result = run(PROPORTIONAL, {"销售额": sales, "订单量": "1", "目标订单量": "1"})
    assert result.item("sales").points == D(points)


def test_proportional_45150_of_60000_is_15_05_with_no_float_error() -> None:
    result = run(PROPORTIONAL, {"销售额": "45150", "订单量": "1", "目标订单量": "1"})
    points = result.item("sales").points
    assert points is not None
    assert str(points.normalize()) == "15.05"
    # 15.05 + 80 (orders 1 / 1 → 80) = 95.05 → 95.1 (half-up at one decimal)
    assert result.score == D("95.1")


def test_proportional_target_from_a_variable() -> None:
    # 300 / 400 = 0.75; 80 × 0.75 = 60
    result = run(PROPORTIONAL, {"销售额": "60000", "订单量": "300", "目标订单量": "400"})
    assert result.item("orders").points == D(60)


def test_proportional_target_of_zero_makes_the_item_missing() -> None:
    result = run(PROPORTIONAL, {"销售额": "60000", "订单量": "300", "目标订单量": "0"})
    assert result.status == "incomplete"
    assert list(result.missing) == ["orders"]
    assert result.score is None


# --- deduct ---------------------------------------------------------------------------------

DEDUCT = load_template_text(
    textwrap.dedent(
        """
        id: deduct
        name: 扣分
        items:
          - key: incidents
            name: 客服原因导致售后或差评
            weight: 20%
            value: 差评次数
            deduct: 2
          - key: errors
            name: 差错
            weight: 80
            value: 差错次数
            deduct: 0.5
        """
    )
)


@pytest.mark.parametrize(
    ("count", "points"),
    [
        ("0", "20"),  # 20 − 2 × 0 = 20
        ("3", "14"),  # 20 − 2 × 3 = 14
        ("9.5", "1"),  # 20 − 2 × 9.5 = 1
        ("10", "0"),  # 20 − 2 × 10 = 0
        ("12", "0"),  # max(0, 20 − 24) = 0 (扣完为止)
    ],
)
def test_deduct(count: str, points: str) -> None:
    result = run(DEDUCT, {"差评次数": count, "差错次数": "0"})
    assert result.item("incidents").points == D(points)


def test_deduct_by_a_fraction() -> None:
    # 80 − 0.5 × 3 = 78.5; incidents 20 − 2 × 1 = 18; total 96.5
    result = run(DEDUCT, {"差评次数": "1", "差错次数": "3"})
    assert result.item("errors").points == D("78.5")
    assert result.score == D("96.5")


# --- rated_by with levels -------------------------------------------------------------------

RATED = load_template_text(
    textwrap.dedent(
        """
        id: rated
        name: 上级评分
        items:
          - key: attitude
            name: 执行力/工作态度
            weight: 20%
            rated_by: supervisor
            levels: {优: 100, 良: 80, 中: 60, 差: 40, 不合格: 0}
          - key: teamwork
            name: 团队协作
            weight: 80
            rated_by: supervisor
        """
    )
)


@pytest.mark.parametrize(
    ("rating", "value", "points"),
    [
        ("优", "100", "20"),  # 20 × 100 / 100 = 20
        ("良", "80", "16"),  # 20 × 80 / 100 = 16
        ("中", "60", "12"),  # 20 × 60 / 100 = 12
        ("差", "40", "8"),  # 20 × 40 / 100 = 8
        ("不合格", "0", "0"),
        ("75", "75", "15"),  # a number: 20 × 75 / 100 = 15
        ("87.5", "87.5", "17.5"),  # 20 × 87.5 / 100 = 17.5
    ],
)
def test_rated_by_supervisor_with_levels(rating: str, value: str, points: str) -> None:
    result = run(RATED, ratings={"attitude": rating, "teamwork": "50"})
    item = result.item("attitude")
    assert item.rating == D(value)
    assert item.points == D(points)


def test_rated_without_levels_takes_a_number() -> None:
    # teamwork 80 × 90 / 100 = 72; attitude 良 → 16; total 88
    result = run(RATED, ratings={"attitude": "良", "teamwork": "90"})
    assert result.item("teamwork").points == D(72)
    assert result.score == D("88.0")


def test_a_missing_supervisor_rating_makes_the_item_missing() -> None:
    result = run(RATED, ratings={"teamwork": "90"})
    assert result.status == "incomplete"
    assert list(result.missing) == ["attitude"]


# --- bonus ----------------------------------------------------------------------------------

BONUS_YAML = textwrap.dedent(
    """
    id: bonus
    name: 加分
    items:
      - {key: base, name: 基本, weight: 100, rated_by: supervisor}
      - key: extra
        name: 超额加分
        value: 销售额
        bonus: {over: 5万, per: 5000, points: 3, max: 9}
    """
)
BONUS = load_template_text(BONUS_YAML)


@pytest.mark.parametrize(
    ("sales", "points"),
    [
        ("0", "0"),  # not over 50000 → 0
        ("50000", "0"),  # exactly 50000 is not over it → 0
        ("54999", "0"),  # 3 × floor(4999 / 5000) = 3 × 0 = 0
        ("55000", "3"),  # 3 × floor(5000 / 5000) = 3
        ("62000", "6"),  # 3 × floor(12000 / 5000) = 3 × 2 = 6
        ("64999.99", "6"),  # 3 × floor(14999.99 / 5000) = 3 × 2 = 6
        ("65000", "9"),  # 3 × 3 = 9
        ("100000", "9"),  # min(9, 3 × 10) = 9
    ],
)
def test_bonus(sales: str, points: str) -> None:
    result = run(BONUS, {"销售额": sales}, ratings={"base": "90"})
    assert result.item("extra").points == D(points)


def test_bonus_pushes_the_total_past_100_without_a_cap() -> None:
    # base 100 + bonus min(9, 3 × floor(50000 / 5000)) = 100 + 9 = 109
    result = run(BONUS, {"销售额": "100000"}, ratings={"base": "100"})
    assert result.score == D("109.0")


def test_bonus_is_clamped_by_the_cap() -> None:
    # 100 + 9 = 109, clamped to the cap 105
    capped = load_template_text(BONUS_YAML + "cap: 105\n")
    result = run(capped, {"销售额": "100000"}, ratings={"base": "100"})
    assert result.score == D("105.0")


# --- penalty --------------------------------------------------------------------------------

PENALTY = load_template_text(
    textwrap.dedent(
        """
        id: penalty
        name: 扣分项
        items:
          - {key: base, name: 基本, weight: 100, rated_by: supervisor}
          - key: fines
            name: 违规扣分
            value: 违规次数
            penalty: {per: 5, max: 15}
        """
    )
)


@pytest.mark.parametrize(
    ("count", "points"),
    [
        ("0", "0"),  # −min(15, 5 × 0) = 0
        ("1", "-5"),  # −min(15, 5) = −5
        ("2", "-10"),  # −min(15, 10) = −10
        ("3", "-15"),  # −min(15, 15) = −15
        ("4", "-15"),  # −min(15, 20) = −15
    ],
)
def test_penalty(count: str, points: str) -> None:
    result = run(PENALTY, {"违规次数": count}, ratings={"base": "90"})
    assert result.item("fines").points == D(points)


def test_penalty_reduces_the_score() -> None:
    # 90 − 10 = 80
    result = run(PENALTY, {"违规次数": "2"}, ratings={"base": "90"})
    assert result.score == D("80.0")


def test_the_score_never_drops_below_0() -> None:
    # base 10 − 15 = −5 → clamped to 0
    result = run(PENALTY, {"违规次数": "4"}, ratings={"base": "10"})
    assert result.score == D("0.0")
