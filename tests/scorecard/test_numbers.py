"""Numbers of the template language (spec: "Numbers").

A number is a decimal literal with an optional suffix written right after the digits:
`%` (÷ 100), `万`/`w`/`W` (× 10,000), `k`/`K` (× 1,000). All arithmetic is Decimal in the
default context (28 significant digits), never binary floating point.
"""

from __future__ import annotations

import decimal
import textwrap
from decimal import Decimal

import pytest

from shopkpi.scorecard import EmployeeInput, compile_expression, load_template_text, score
from shopkpi.scorecard.numbers import parse_number


def value_of(source: str, **variables: Decimal) -> Decimal:
    result = compile_expression(source).evaluate(variables)
    assert isinstance(result, Decimal), f"{source!r} gave {result!r}, not a Decimal"
    return result


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("80%", "0.8"),  # 80 / 100
        ("2.5%", "0.025"),  # 2.5 / 100
        ("100%", "1"),
        ("3万", "30000"),  # 3 × 10,000
        ("3w", "30000"),
        ("3W", "30000"),
        ("1.5万", "15000"),  # 1.5 × 10,000
        ("2k", "2000"),  # 2 × 1,000
        ("2K", "2000"),
        ("0.5k", "500"),
        ("45150", "45150"),
        ("0.25", "0.25"),
    ],
)
def test_a_suffix_written_right_after_the_digits_scales_the_number(literal: str, expected: str) -> None:
    assert parse_number(literal) == Decimal(expected)
    assert value_of(literal) == Decimal(expected)


def test_2_star_k_multiplies_by_the_variable_k_while_2k_is_two_thousand() -> None:
    # `2 * k` with k = 7: 2 × 7 = 14; `2k` is the literal 2,000 and needs no variable
    assert value_of("2 * k", k=Decimal(7)) == Decimal(14)
    assert value_of("2k") == Decimal(2000)
    assert compile_expression("2 * k").variables == frozenset({"k"})
    assert compile_expression("2k").variables == frozenset()


def test_w_and_k_alone_are_variables() -> None:
    # W × k = 3 × 4 = 12
    assert value_of("W * k", W=Decimal(3), k=Decimal(4)) == Decimal(12)


def test_suffixed_numbers_mix_in_arithmetic() -> None:
    # 2% × 52,000 = 1,040; 3万 − 2k = 30,000 − 2,000 = 28,000
    assert value_of("2% * 销售额", 销售额=Decimal(52000)) == Decimal(1040)
    assert value_of("3万 - 2k") == Decimal(28000)


def test_45150_over_60000_times_20_is_exactly_15_05() -> None:
    # 45150 / 60000 = 0.7525 (exact); 0.7525 × 20 = 15.05 (exact)
    result = value_of("45150 / 60000 * 20")
    assert result == Decimal("15.05")
    assert result.normalize() == Decimal("15.05")


def test_47000_over_60000_has_28_significant_digits() -> None:
    # 47 / 60 = 0.78333…, rounded to 28 significant digits
    result = value_of("47000 / 60000")
    assert result == Decimal("0.7833333333333333333333333333")
    assert str(result) == "0.7833333333333333333333333333"


def test_arithmetic_is_decimal_not_binary_floating_point() -> None:
    # in floats 0.1 + 0.2 != 0.3; in decimals it is exactly 0.3
    assert value_of("0.1 + 0.2") == Decimal("0.3")
    assert compile_expression("0.1 + 0.2 == 0.3").truth({}) is True


@pytest.mark.parametrize("text", ["", "abc", "80 %", "3 万", "%", "1.2.3", "k2"])
def test_texts_that_are_not_numbers_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text)


CARD = textwrap.dedent(
    """
    id: ratio
    name: 比例
    items:
      - key: attainment
        name: 指标完成率
        weight: 100
        value: 实际销售额 / 计划销售额
        bands: {">= 80%": 100, "[70%, 80%)": 85, "< 70%": 0}
    """
)


def test_the_engine_keeps_the_default_context_whatever_the_callers_context_is() -> None:
    # 47000 / 60000 = 0.7833333333333333333333333333 (28 digits) → [70%, 80%) → 85 points
    template = load_template_text(CARD)
    employee = EmployeeInput("E1", "2026-10", {"实际销售额": Decimal(47000), "计划销售额": Decimal(60000)})
    with decimal.localcontext() as ctx:
        ctx.prec = 5
        ctx.rounding = decimal.ROUND_DOWN
        result = score(template, employee)
    item = result.item("attainment")
    assert item.value == Decimal("0.7833333333333333333333333333")
    assert item.points == Decimal(85)
    assert result.score == Decimal("85")


def test_yaml_numbers_are_read_as_written_not_as_binary_floats() -> None:
    # weight 33.3 + 33.3 + 33.4 = 100 exactly (as floats 33.3 + 33.3 + 33.4 = 100.00000000000001)
    template = load_template_text(
        textwrap.dedent(
            """
            id: thirds
            name: 三分
            items:
              - {key: a, name: A, weight: 33.3, rated_by: supervisor}
              - {key: b, name: B, weight: 33.3, rated_by: supervisor}
              - {key: c, name: C, weight: 33.4, rated_by: supervisor}
            """
        )
    )
    ratings = {"a": Decimal(100), "b": Decimal(100), "c": Decimal(100)}
    result = score(template, EmployeeInput("E1", "2026-10", {}, ratings))
    # 33.3 + 33.3 + 33.4 = 100.0
    assert result.score == Decimal("100.0")
