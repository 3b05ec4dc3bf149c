"""Derived-metric expressions: exact decimals, null rules, prev(), and nothing outside the language."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopkpi.data.metrics.derived_expressions import DerivedExpressionError, compile_derived

D = Decimal


def run(
    text: str, current: dict[str, Decimal | None], previous: dict[str, Decimal | None] | None = None
) -> Decimal | None:
    expression = compile_derived(text)
    return expression.evaluate(lambda name, prev: (previous or {})[name] if prev else current[name])


def test_ratios_are_exact_decimals() -> None:
    assert run("buyers / uv", {"buyers": D(1), "uv": D(3)}) == D("0." + "3" * 38)  # 38 significant digits
    assert run("a * 0.1 + b - 2", {"a": D("0.2"), "b": D(3)}) == D("1.02")  # no binary floating point


def test_null_operands_and_zero_denominators_give_null() -> None:
    assert run("buyers / uv", {"buyers": D(5), "uv": D(0)}) is None
    assert run("buyers / uv", {"buyers": None, "uv": D(4)}) is None
    assert run("a + b", {"a": D(1), "b": None}) is None
    assert run("max(a, 0)", {"a": None}) is None
    assert run("coalesce(a, b, 7)", {"a": None, "b": None}) == D(7)
    assert run("0 / uv", {"uv": D(2)}) == 0


def test_prev_reads_the_previous_period() -> None:
    expression = compile_derived("orders / prev(orders) - 1")
    assert expression.current == {"orders"} and expression.previous == {"orders"}
    assert run("orders / prev(orders) - 1", {"orders": D(7)}, {"orders": D(5)}) == D("0.4")
    assert run("orders / prev(orders) - 1", {"orders": D(7)}, {"orders": None}) is None


def test_functions() -> None:
    assert run("min(a, b)", {"a": D(2), "b": D(-1)}) == D(-1)
    assert run("max(a, b, 0)", {"a": D(-2), "b": D(-1)}) == 0
    assert run("abs(-a)", {"a": D(3)}) == D(3)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('id')",
        "a.__class__",
        "a if b else c",
        "a > b",
        "a ** 2",
        "a // b",
        "[a]",
        "'text'",
        "lambda: 1",
        "prev(prev(a))",
        "prev(a + b)",
        "sum(a)",
        "a(b)",
        "True",
        "a +",
    ],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(DerivedExpressionError):
        compile_derived(text)
