"""How one scan computes a block's aggregates per (employee, account) quickly.

DuckDB evaluates every `count(DISTINCT …)` of a GROUP BY in a pass of its own. So when a block's
distinct counts all count one column u, it is computed in two steps:

1. `_p<i>`: the attributed rows grouped by (employee, account, u); each
   `count(DISTINCT u) FILTER (WHERE c)` becomes a flag `bool_or(c)` per u and the other aggregates
   are computed as partials (count, sum, min, max, bool_or, count_if);
2. `_v<i>`: per (employee, account) the distinct counts become `count(u) FILTER (WHERE flag)`
   and the partials are combined (sum of counts and sums, min of mins …).

Any other block (no distinct counts; distinct counts of different columns; or distinct counts
next to aggregates that cannot be combined from partials, such as `arg_max`, `avg`, `median`) is
one GROUP BY with its aggregates as written. The batches of each (employee, account) are found by
a separate, cheap grouping (see `metric_compiler`), so they never widen these aggregations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from shopkpi.data.metrics.sql_guard import DIALECT
from shopkpi.data.warehouse.rollups import COUNT_COLUMN

_COMBINE: dict[type[exp.Expr], type[exp.AggFunc]] = {
    exp.Count: exp.Sum,
    exp.Sum: exp.Sum,
    exp.CountIf: exp.Sum,
    exp.Min: exp.Min,
    exp.Max: exp.Max,
    exp.LogicalOr: exp.LogicalOr,
    exp.LogicalAnd: exp.LogicalAnd,
}


@dataclass(frozen=True)
class Plan:
    """A block's two steps: what `_p` selects (besides the keys) and what `_a` computes from it."""

    mode: str
    """`distinct` (two steps, grouped by u first) or `direct` (one GROUP BY, no `_p`)."""
    distinct_column: str | None
    partials: tuple[tuple[str, str], ...]
    """(SQL over the rows, column name) computed in `_p`."""
    finals: tuple[str, ...]
    """One SQL per value, over `_p`'s columns (or the rows, `direct`), in the order of the values given."""
    additive: bool
    """Every value is a count or a sum (with a filter), so its value over several accounts is the sum
    of the accounts' values and the block can be grouped by employee straight away."""


def plan(values: Sequence[str | exp.Expr]) -> Plan:
    """The plan for a block's `values` (aggregates over the rows, as SQL or parsed; not changed)."""
    trees = [sqlglot.parse_one(v, read=DIALECT) if isinstance(v, str) else v.copy() for v in values]
    units_of = [_units(tree) for tree in trees]
    units = [unit for found in units_of for unit in found]
    additive = all(_additive(tree) for tree in trees)
    counted = [_distinct_column(u) for u in units]
    distinct = set(counted) - {None}
    combinable = all(
        c is not None or type(_aggregate(u)) in _COMBINE for u, c in zip(units, counted, strict=True)
    )
    if len(distinct) != 1 or not combinable or any(_several_columns(u) for u in units):
        # a distinct count over all of an employee's rows is not the sum of the accounts' counts
        by_employee = additive and not any(tree.find(exp.Distinct) is not None for tree in trees)
        finals = tuple(tree.sql(dialect=DIALECT, copy=False) for tree in trees)
        return Plan("direct", None, (), finals, by_employee)
    (column,) = distinct
    partial_sql: dict[str, str] = {}
    finals_list: list[str] = []
    for tree, found in zip(trees, units_of, strict=True):
        holder = exp.Paren(this=tree)
        for unit in found:
            unit.replace(_final(unit, partial_sql))
        finals_list.append(holder.this.sql(dialect=DIALECT, copy=False))
    partials = tuple((sql, name) for sql, name in partial_sql.items())
    return Plan("distinct", column, partials, tuple(finals_list), additive)


def _additive(tree: exp.Expr) -> bool:
    """A count or sum, filtered or not, `coalesce(<additive>, 0)`, or
    `CASE WHEN <row count> > 0 THEN <additive> END`."""
    if isinstance(tree, exp.Paren):
        return _additive(tree.this)
    if _zero_if_null(tree) is not None:
        return _additive(tree.this)
    if isinstance(tree, exp.AggFunc | exp.Filter):
        return type(_aggregate(tree)) in (exp.Count, exp.Sum, exp.CountIf)
    if (
        isinstance(tree, exp.Case)
        and tree.args.get("default") is None
        and len(tree.args.get("ifs") or []) == 1
    ):
        branch = tree.args["ifs"][0]
        guard = branch.this
        return (
            isinstance(guard, exp.GT)
            and _row_count(guard.this)
            and guard.expression.sql(copy=False) == "0"
            and _additive(branch.args["true"])
        )
    return False


def _zero_if_null(tree: exp.Expr) -> exp.Expr | None:
    """X of `coalesce(X, 0)`; None for anything else."""
    if isinstance(tree, exp.Coalesce) and len(tree.expressions) == 1:
        zero = tree.expressions[0]
        if isinstance(zero, exp.Literal) and zero.name == "0":
            inner: exp.Expr = tree.this
            return inner
    return None


def _row_count(tree: exp.Expr) -> bool:
    """`count(…)`, or `coalesce(sum(_n), 0)` (rows counted over a roll-up), filtered or not."""
    inner = _zero_if_null(tree)
    if inner is not None and isinstance(inner, exp.AggFunc | exp.Filter):
        counted = _aggregate(inner)
        return (
            isinstance(counted, exp.Sum)
            and isinstance(counted.this, exp.Column)
            and counted.this.name == COUNT_COLUMN
        )
    return isinstance(tree, exp.AggFunc | exp.Filter) and isinstance(_aggregate(tree), exp.Count)


def _units(tree: exp.Expr) -> list[exp.Expr]:
    """The aggregate calls of `tree`, each with its FILTER clause when it has one."""
    units: list[exp.Expr] = []
    for aggregate in tree.find_all(exp.AggFunc):
        parent = aggregate.parent
        units.append(parent if isinstance(parent, exp.Filter) else aggregate)
    return units


def _aggregate(unit: exp.Expr) -> exp.Expr:
    return unit.this if isinstance(unit, exp.Filter) else unit


def filter_condition(unit: exp.Expr) -> exp.Expr | None:
    """The condition of an aggregate's FILTER (WHERE …) clause; None without one."""
    if isinstance(unit, exp.Filter) and isinstance(unit.expression, exp.Where):
        condition: exp.Expr = unit.expression.this
        return condition
    return None


def _distinct_column(unit: exp.Expr) -> str | None:
    """The SQL of the column a `count(DISTINCT column)` counts; None for any other aggregate."""
    aggregate = _aggregate(unit)
    if isinstance(aggregate, exp.Count) and isinstance(aggregate.this, exp.Distinct):
        return str(aggregate.this.expressions[0].sql(dialect=DIALECT, copy=False))
    return None


def _several_columns(unit: exp.Expr) -> bool:
    """A DISTINCT over several expressions, or inside another aggregate than count."""
    aggregate = _aggregate(unit)
    if isinstance(aggregate, exp.Count) and isinstance(aggregate.this, exp.Distinct):
        return len(aggregate.this.expressions) != 1
    return any(isinstance(node, exp.Distinct) for node in aggregate.walk())


def _final(unit: exp.Expr, partials: dict[str, str]) -> exp.Expr:
    """What replaces `unit` in `_v` (over `_p`'s columns), registering the `_p` partial it reads."""
    condition = filter_condition(unit)
    if _distinct_column(unit) is not None:  # count(u) leaves out the group of a null u, as DISTINCT does
        counted = exp.Count(this=exp.column("_u"))
        if condition is None:
            return counted
        flag = partials.setdefault(
            f"bool_or({condition.sql(dialect=DIALECT, copy=False)})", f"_x{len(partials)}"
        )
        return exp.Filter(this=counted, expression=exp.Where(this=exp.column(flag)))
    name = partials.setdefault(unit.sql(dialect=DIALECT, copy=False), f"_x{len(partials)}")
    return _COMBINE[type(_aggregate(unit))](this=exp.column(name))
