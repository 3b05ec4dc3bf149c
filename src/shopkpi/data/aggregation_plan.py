"""How one scan computes a block's aggregates per (employee, account) quickly, batches included.

DuckDB evaluates every `count(DISTINCT …)` of a GROUP BY in a pass of its own, and a
`list(DISTINCT _batch)` for provenance is one more. So a block is computed in two steps:

1. `_p<i>`: the attributed rows grouped by GROUPING SETS ((employee, account, u), (employee,
   account, _batch)), where u is the one column the block's distinct counts count. The first set
   turns each `count(DISTINCT u) FILTER (WHERE c)` into a flag `bool_or(c)` per u and computes the
   other aggregates as partials (count, sum, min, max, bool_or, count_if); the second lists the
   batches (and is nearly free: few groups).
2. `_a<i>`: per (employee, account): distinct counts become `count(*) FILTER (WHERE flag)`,
   partials are combined (sum of counts and sums, min of mins …), batches are listed.

A block without distinct counts uses the same two sets without u (any aggregate then works, each
computed once per (employee, account)). A block whose distinct counts count different columns,
or that mixes them with aggregates that cannot be combined from partials (`arg_max`, `avg`,
`median` …), falls back to one GROUP BY with the distinct counts as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from shopkpi.data.sql_guard import DIALECT

_COMBINE: dict[type[exp.Expr], str] = {
    exp.Count: "sum",
    exp.Sum: "sum",
    exp.CountIf: "sum",
    exp.Min: "min",
    exp.Max: "max",
    exp.LogicalOr: "bool_or",
    exp.LogicalAnd: "bool_and",
}
PARTIAL_SET = "_g = 1"
"""Rows of the first grouping set (per u, or per account): `_g` is GROUPING(_batch); `_g = 0`: per batch."""


@dataclass(frozen=True)
class Plan:
    """A block's two steps: what `_p` selects (besides the keys) and what `_a` computes from it."""

    mode: str
    """`distinct` (grouped by u), `plain` (no distinct counts) or `direct` (one GROUP BY, no `_p`)."""
    distinct_column: str | None
    partials: tuple[tuple[str, str], ...]
    """(SQL over the rows, column name) computed in `_p`."""
    finals: tuple[str, ...]
    """One SQL per value, over `_p`'s columns, in the order of the values given."""


def plan(values: Sequence[str], extra: Sequence[str]) -> Plan:
    """The plan for a block's `values` (aggregate SQL over the rows) and `extra` decomposable aggregates
    (row and crossing counts), which come first in `finals`."""
    trees = [sqlglot.parse_one(sql, read=DIALECT) for sql in (*extra, *values)]
    units = [unit for tree in trees for unit in _units(tree)]
    if any(_several_columns(u) for u in units):
        return Plan("direct", None, (), tuple(sql for sql in (*extra, *values)))
    distinct = {_distinct_column(u) for u in units} - {None}
    combinable = all(_distinct_column(u) is not None or type(_aggregate(u)) in _COMBINE for u in units)
    if len(distinct) > 1 or (distinct and not combinable):
        return Plan("direct", None, (), tuple(sql for sql in (*extra, *values)))
    if not distinct:
        partials = tuple((sql, f"_x{n}") for n, sql in enumerate((*extra, *values)))
        finals = tuple(f"any_value({column}) FILTER (WHERE {PARTIAL_SET})" for _, column in partials)
        return Plan("plain", None, partials, finals)
    (column,) = distinct
    partial_sql: dict[str, str] = {}
    finals_list: list[str] = []
    for tree in trees:
        holder = exp.Paren(this=tree)
        for unit in list(_units(tree)):
            unit.replace(sqlglot.parse_one(_final(unit, partial_sql), read=DIALECT))
        finals_list.append(holder.this.sql(dialect=DIALECT))
    partials = tuple((sql, name) for sql, name in partial_sql.items())
    return Plan("distinct", column, partials, tuple(finals_list))


def _units(tree: exp.Expr) -> list[exp.Expr]:
    """The aggregate calls of `tree`, each with its FILTER clause when it has one."""
    units: list[exp.Expr] = []
    for aggregate in tree.find_all(exp.AggFunc):
        parent = aggregate.parent
        units.append(parent if isinstance(parent, exp.Filter) else aggregate)
    return units


def _aggregate(unit: exp.Expr) -> exp.Expr:
    return unit.this if isinstance(unit, exp.Filter) else unit


def _condition(unit: exp.Expr) -> exp.Expr | None:
    if isinstance(unit, exp.Filter) and isinstance(unit.expression, exp.Where):
        condition: exp.Expr = unit.expression.this
        return condition
    return None


def _distinct_column(unit: exp.Expr) -> str | None:
    """The SQL of the column a `count(DISTINCT column)` counts; None for any other aggregate."""
    aggregate = _aggregate(unit)
    if isinstance(aggregate, exp.Count) and isinstance(aggregate.this, exp.Distinct):
        return str(aggregate.this.expressions[0].sql(dialect=DIALECT))
    return None


def _several_columns(unit: exp.Expr) -> bool:
    """A DISTINCT over several expressions, or inside another aggregate than count."""
    aggregate = _aggregate(unit)
    if isinstance(aggregate, exp.Count) and isinstance(aggregate.this, exp.Distinct):
        return len(aggregate.this.expressions) != 1
    return any(isinstance(node, exp.Distinct) for node in aggregate.walk())


def _final(unit: exp.Expr, partials: dict[str, str]) -> str:
    """The `_a` SQL replacing `unit`, registering the `_p` partial it reads."""
    condition = _condition(unit)
    if _distinct_column(unit) is not None:
        if condition is None:
            return f"count(*) FILTER (WHERE {PARTIAL_SET} AND _u IS NOT NULL)"
        flag = partials.setdefault(f"bool_or({condition.sql(dialect=DIALECT)})", f"_x{len(partials)}")
        return f"count(*) FILTER (WHERE {PARTIAL_SET} AND _u IS NOT NULL AND {flag})"
    name = partials.setdefault(unit.sql(dialect=DIALECT), f"_x{len(partials)}")
    return f"{_COMBINE[type(_aggregate(unit))]}({name}) FILTER (WHERE {PARTIAL_SET})"
