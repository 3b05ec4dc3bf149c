"""Derived-metric expressions: arithmetic over other metrics of the same employee and period.

    conversion_rate: buyers / uv
    order_growth:    orders / prev(orders) - 1

The language is `+ - * /`, parentheses, decimal numbers, metric names, `prev(name)` (the value of
`name` for the previous period) and the functions `min`, `max`, `abs` and `coalesce`. It is
parsed with Python's own parser, every node checked against a short allow-list, and compiled
once into closures over exact `Decimal` values (DuckDB divides decimals in floating point, so
ratios are computed here, not in SQL). Null rules: any null operand makes the result null
(except in `coalesce`), and a division by zero is null.
"""

from __future__ import annotations

import ast
import decimal
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

Lookup = Callable[[str, bool], Decimal | None]
"""(metric name, previous period?) → its value."""

Evaluator = Callable[[Lookup], Decimal | None]

_CONTEXT = decimal.Context(prec=38, rounding=decimal.ROUND_HALF_UP)
_FUNCTIONS = frozenset({"prev", "min", "max", "abs", "coalesce"})


class DerivedExpressionError(ValueError):
    """An expression outside the derived-metric language."""


@dataclass(frozen=True)
class DerivedExpression:
    text: str
    current: frozenset[str]
    """Metrics read for the same period."""
    previous: frozenset[str]
    """Metrics read through prev()."""
    evaluate: Evaluator


def compile_derived(text: str) -> DerivedExpression:
    """`text` checked and compiled; DerivedExpressionError says what is not allowed."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise DerivedExpressionError(f"{text!r} does not parse: {error.msg}") from None
    current: set[str] = set()
    previous: set[str] = set()
    evaluate = _compile(tree.body, text.strip(), current, previous, in_prev=False)
    return DerivedExpression(
        text=text, current=frozenset(current), previous=frozenset(previous), evaluate=evaluate
    )


def _compile(
    node: ast.expr, source: str, current: set[str], previous: set[str], *, in_prev: bool
) -> Evaluator:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        segment = ast.get_source_segment(source, node) or repr(node.value)
        number = Decimal(segment.replace("_", ""))
        return lambda lookup: number
    if isinstance(node, ast.Name):
        name = node.id
        (previous if in_prev else current).add(name)
        return lambda lookup: lookup(name, in_prev)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _compile(node.operand, source, current, previous, in_prev=in_prev)
        negate = isinstance(node.op, ast.USub)
        return lambda lookup: _negate(operand(lookup)) if negate else operand(lookup)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        left = _compile(node.left, source, current, previous, in_prev=in_prev)
        right = _compile(node.right, source, current, previous, in_prev=in_prev)
        operation = _OPERATIONS[type(node.op)]
        return lambda lookup: operation(left(lookup), right(lookup))
    if isinstance(node, ast.Call):
        return _compile_call(node, source, current, previous, in_prev=in_prev)
    shown = ast.get_source_segment(source, node) or type(node).__name__
    raise DerivedExpressionError(
        f"{source!r}: {shown!r} is not allowed (only + - * /, numbers, metric names, "
        f"prev(), min(), max(), abs(), coalesce())"
    )


def _compile_call(
    node: ast.Call, source: str, current: set[str], previous: set[str], *, in_prev: bool
) -> Evaluator:
    if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords:
        shown = ast.get_source_segment(source, node.func) or "?"
        raise DerivedExpressionError(
            f"{source!r}: function {shown!r} is not allowed (known: {', '.join(sorted(_FUNCTIONS))})"
        )
    name = node.func.id
    if name == "prev":
        if len(node.args) != 1 or not isinstance(node.args[0], ast.Name):
            raise DerivedExpressionError(f"{source!r}: prev() takes one metric name, as in prev(orders)")
        if in_prev:
            raise DerivedExpressionError(f"{source!r}: prev() cannot be nested")
        return _compile(node.args[0], source, current, previous, in_prev=True)
    if not node.args or (name == "abs" and len(node.args) != 1):
        raise DerivedExpressionError(f"{source!r}: wrong number of arguments to {name}()")
    arguments = [_compile(a, source, current, previous, in_prev=in_prev) for a in node.args]
    if name == "abs":
        (only,) = arguments
        return lambda lookup: _abs(only(lookup))
    if name == "coalesce":
        return lambda lookup: next((v for v in (a(lookup) for a in arguments) if v is not None), None)
    pick = min if name == "min" else max
    return lambda lookup: _strict(pick, [a(lookup) for a in arguments])


def _strict(pick: Callable[[list[Decimal]], Decimal], values: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return pick(present) if len(present) == len(values) else None


def _negate(value: Decimal | None) -> Decimal | None:
    return None if value is None else -value


def _abs(value: Decimal | None) -> Decimal | None:
    return None if value is None else abs(value)


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else _CONTEXT.add(a, b)


def _subtract(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else _CONTEXT.subtract(a, b)


def _multiply(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else _CONTEXT.multiply(a, b)


def _divide(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None or b is None or b == 0:
        return None
    return _CONTEXT.divide(a, b)


_OPERATIONS: dict[type[ast.operator], Callable[[Decimal | None, Decimal | None], Decimal | None]] = {
    ast.Add: _add,
    ast.Sub: _subtract,
    ast.Mult: _multiply,
    ast.Div: _divide,
}
