"""Which aggregates of a block can read the dataset's roll-up instead of its rows, and rewritten how.

A roll-up row (`rollups`) stands for `_n` rows that agree on the roll-up's columns (for
`traffic_events`: shop, user, behavior and the day). So an aggregate over those columns gives the
same value over the roll-up when it counts rows or does not care how often a row repeats:

    count(*)            [FILTER (WHERE c)]  →  coalesce(sum(_n) [FILTER (WHERE c)], 0)
    count(x)            [FILTER (WHERE c)]  →  coalesce(sum(_n) FILTER (WHERE x IS NOT NULL [AND c]), 0)
    count_if(x)         [FILTER (WHERE c)]  →  coalesce(sum(_n) FILTER (WHERE x [AND c]), 0)
    count(DISTINCT x), min(x), max(x), bool_or(x), bool_and(x)  [FILTER (WHERE c)]  as written

where every column of x and c is one the roll-up keeps (the account column, the declared
columns, `_batch`; not the date column, which the roll-up holds as a day). A block reads the
roll-up only when every one of its values can; any other aggregate (sum, avg, arg_max …) or
another column (`item`, the hour of `ts`) and the whole block reads the rows as written.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from shopkpi.data.datasets import Dataset
from shopkpi.data.metrics.aggregation_plan import filter_condition
from shopkpi.data.metrics.attribution import RANGE_START_COLUMN
from shopkpi.data.warehouse import rollups

_AS_WRITTEN: tuple[type[exp.Expr], ...] = (exp.Min, exp.Max, exp.LogicalOr, exp.LogicalAnd)


def kept_columns(dataset: Dataset) -> frozenset[str]:
    """The columns whose values a roll-up row keeps exactly (its date column only as a day)."""
    if not rollups.has_rollup(dataset):
        return frozenset()
    return frozenset(rollups.key_columns(dataset)) - {dataset.date_column} | {"_batch"}


def readable(dataset: Dataset, account_column: str) -> bool:
    """Whether a block of `dataset` attributed by `account_column` can read the roll-up at all
    (its rows, batches and days per account; the values are `rewritten` separately)."""
    return account_column in kept_columns(dataset) and RANGE_START_COLUMN not in dataset.column_names


def rewritten(dataset: Dataset, values: Sequence[exp.Expr], alias: str) -> tuple[exp.Expr, ...] | None:
    """`values` (aggregates over the rows, columns qualified by `alias`) over the roll-up instead,
    or None when one of them cannot be."""
    kept = kept_columns(dataset)
    result: list[exp.Expr] = []
    for value in values:
        if any(column.name not in kept for column in value.find_all(exp.Column)):
            return None
        if value.find(exp.Window, exp.Subquery, exp.Select) is not None:
            return None
        holder = exp.Paren(this=value.copy())
        for aggregate in list(holder.find_all(exp.AggFunc)):
            if aggregate.find_ancestor(exp.AggFunc) is not None:
                return None
            unit = aggregate.parent if isinstance(aggregate.parent, exp.Filter) else aggregate
            replacement = _over_rollup(aggregate, filter_condition(unit), alias)
            if replacement is None:
                return None
            if replacement is not aggregate:
                unit.replace(replacement)
        result.append(holder.this)
    return tuple(result)


def _over_rollup(aggregate: exp.Expr, condition: exp.Expr | None, alias: str) -> exp.Expr | None:
    """The roll-up form of one aggregate (with its filter `condition`); the aggregate itself when it
    reads the roll-up as written; None when it cannot."""
    if isinstance(aggregate, _AS_WRITTEN):
        return aggregate
    if isinstance(aggregate, exp.CountIf):
        return _rows(alias, aggregate.this.copy(), condition)
    if not isinstance(aggregate, exp.Count):
        return None
    argument = aggregate.this
    if isinstance(argument, exp.Distinct):
        return aggregate
    if argument is None or isinstance(argument, exp.Star):
        return _rows(alias, None, condition)
    if aggregate.expressions:  # count(x, y): not a row count DuckDB knows
        return None
    return _rows(alias, exp.Not(this=exp.Is(this=argument.copy(), expression=exp.Null())), condition)


def _rows(alias: str, rows: exp.Expr | None, condition: exp.Expr | None) -> exp.Expr:
    """coalesce(sum(_n) FILTER (WHERE rows AND condition), 0): the rows passing both, counted."""
    total: exp.Expr = exp.Sum(this=exp.column(rollups.COUNT_COLUMN, table=alias, quoted=True))
    conditions = [c.copy() for c in (rows, condition) if c is not None]
    if conditions:
        where = conditions[0] if len(conditions) == 1 else exp.and_(*conditions)
        total = exp.Filter(this=total, expression=exp.Where(this=where))
    return exp.Coalesce(this=total, expressions=[exp.Literal.number(0)])
