"""The rows behind a base metric: each source's SQL with the aggregation removed (see `metric_rows`).

The metric step (`metric_compiler`, `block_sql`) reads a source's rows in the period, joins each to
the owner of its account on its day (`attribution`) and aggregates. Here the same rows, the same
window, the same owner join and the same filter are selected one per row, and the aggregate is
taken apart into each row's part of it, so that the parts add up to the value:

    sum(x) [filter (where c)]        the row's x when it passes the source's filter and c
    count(*), count(x), count_if(c)  1 for each such row (x not null)
    count(distinct u)                1 for the first such row of each u per account (a repeat is 0)
    max/min(x), arg_max/arg_min(x, k) x of the one row per account the aggregate picks

A row that takes no part says why (`_reason`: the place of its code in `EXCLUDED`). An aggregate of another shape (`avg`, a
ratio of two sums written in one expression) lists its rows without parts (`additive` false).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlglot import exp

from shopkpi.data.datasets import DATASETS
from shopkpi.data.metrics import attribution as attr
from shopkpi.data.metrics.calendars import Span
from shopkpi.data.metrics.catalogue import ResolvedSource
from shopkpi.data.metrics.credit_sql import DATASET as CREDITED
from shopkpi.data.metrics.credit_sql import SHOWN
from shopkpi.data.metrics.crediting import PLAIN, Crediting
from shopkpi.data.metrics.row_overrides import RowOverride, account_sql, owner_rows, rows_condition
from shopkpi.data.metrics.sql_guard import DIALECT
from shopkpi.scorecard.periods import Period

Part = Literal["sum", "count", "distinct", "pick", "other"]
EXCLUDED = ("calendar", "filter", "condition", "no_value", "repeat", "not_picked", "replaced", "override")
"""Why a row takes no part: its day or hour is excluded by a calendar (`calendars`,
`_span` names the entry), it fails the metric's filter (not a counted order …), the aggregate's
own condition (`filter (where returned = 1)`), has no value in the column summed, repeats a
distinct value already counted for the account, or is not the row `max`/`arg_max` picks; an
entered target replaced by an input of the same name (`rows.entered_rows`); HR left the row out on an
appeal (`row_overrides`)."""
ROW_ALIAS = "d"
QUERY_ALIAS = "q"
# the fixed columns of every row select, in order; the columns the metric reads follow
FIXED = (
    "_for",
    "_employee",
    "_kind",
    "_account",
    "_from",
    "_to",
    "_batch",
    "_row",
    "_day",
    "_counted",
    "_reason",
    "_passes",
    "_span",
)


@dataclass(frozen=True)
class Aggregate:
    """How one row takes part in a source's aggregate."""

    part: Part
    value: exp.Expr | None = None
    """sum: the summed expression; count: the counted column (None: every row); pick: the picked one."""
    condition: exp.Expr | None = None
    """The aggregate's own FILTER (WHERE …)."""
    distinct: exp.Expr | None = None
    order: exp.Expr | None = None
    """pick: the expression whose largest (smallest) row is picked."""
    largest: bool = True
    zero_if_null: bool = False
    """`coalesce(…, 0)`: no counted row gives 0, not null."""


@dataclass(frozen=True)
class RowSelect:
    """One source of a base metric for one period, row by row."""

    metric: str
    offset: int
    source: int
    dataset: str
    """The dataset, or `query <metric>`."""
    sql: str
    columns: tuple[str, ...]
    """The columns the metric reads, as the select names them after `FIXED`."""
    aggregate: Aggregate
    has_filter: bool
    excluded: tuple[Span, ...] = ()
    """The calendar entries `_span` numbers."""
    overrides: tuple[RowOverride, ...] = ()
    """HR's decisions on single rows of the source (`row_overrides`)."""
    account_column: str = "account"
    """The column of `columns` naming the row's account."""


def aggregate_of(expression: exp.Expr) -> Aggregate:
    """The row-level reading of an aggregate expression as the catalogue gives it."""
    tree = expression
    while isinstance(tree, exp.Paren):
        tree = tree.this
    zero = False
    if isinstance(tree, exp.Coalesce) and len(tree.expressions) == 1:
        default = tree.expressions[0]
        if isinstance(default, exp.Literal) and default.name == "0":
            tree, zero = tree.this, True
    condition = None
    if isinstance(tree, exp.Filter) and isinstance(tree.expression, exp.Where):
        condition, tree = tree.expression.this, tree.this
    return _reading(tree, condition, zero)


def _reading(tree: exp.Expr, condition: exp.Expr | None, zero: bool) -> Aggregate:
    if isinstance(tree, exp.Sum):
        return Aggregate("sum", tree.this, condition, zero_if_null=zero)
    if isinstance(tree, exp.CountIf):
        both = tree.this if condition is None else exp.and_(condition, tree.this)
        return Aggregate("count", None, both, zero_if_null=zero)
    if isinstance(tree, exp.Count):
        counted = tree.this
        if isinstance(counted, exp.Distinct):
            if len(counted.expressions) != 1:
                return Aggregate("other")
            return Aggregate("distinct", None, condition, distinct=counted.expressions[0], zero_if_null=zero)
        return Aggregate(
            "count", None if isinstance(counted, exp.Star) else counted, condition, zero_if_null=zero
        )
    picks: dict[type[exp.Expr], bool] = {exp.Max: True, exp.Min: False, exp.ArgMax: True, exp.ArgMin: False}
    if type(tree) in picks:
        order = tree.args.get("expression") or tree.this
        return Aggregate(
            "pick", tree.this, condition, order=order, largest=picks[type(tree)], zero_if_null=zero
        )
    return Aggregate("other")


def owners_ctes(
    crediting: Crediting, datasets: tuple[str, ...] = (), overrides: tuple[RowOverride, ...] = ()
) -> str:
    """The WITH clause the row selects read: `_owners` with the accounts of re-credited rows and the
    people on shift slots, and what the credit rules compute for `datasets` (a team metric reads
    `_reports` too, the table the organisation snapshot registers)."""
    owners = attr.owners_cte(owner_rows(overrides), crediting.owner_rows())
    return f"WITH {', '.join([owners, *crediting.ctes(datasets, with_row=True)])}"


def dataset_rows(
    metric: str,
    offset: int,
    index: int,
    source: ResolvedSource,
    window: Period,
    employee: str | None,
    team: bool,
    crediting: Crediting = PLAIN,
) -> RowSelect:
    """The rows of one aggregate source in `window` attributed to `employee` (None: everyone), read
    with the credit rules and shifts of `crediting` as the metric step reads them."""
    dataset = DATASETS[source.dataset]
    aggregate = aggregate_of(source.expression)
    read = _read_columns(source)
    column = crediting.account(dataset, source.kind, source.account_column, ROW_ALIAS)
    account = account_sql(column, source.overrides, ROW_ALIAS, DIALECT)
    owned = attr.owner_join(source.kind, account, attr.row_date(dataset, ROW_ALIAS), keep_unowned=False)
    left_out = rows_condition((o for o in source.overrides if o.credit_to is None), ROW_ALIAS)
    overridden = "false" if left_out is None else left_out.sql(dialect=DIALECT)
    passes = "true" if source.filter is None else f"coalesce({_sql(source.filter)}, false)"
    excluded = " ".join(f"WHEN {_sql(s.condition)} THEN {i}" for i, s in enumerate(source.excluded))
    span = f"CASE {excluded} END" if excluded else "CAST(NULL AS INTEGER)"
    columns = "".join(f", {ROW_ALIAS}.{attr.quoted(c)} AS {attr.quoted(c)}" for c in read)
    inner = (
        f"SELECT {_owner_columns(team)}, {ROW_ALIAS}._batch AS _batch, {ROW_ALIAS}._row AS _row, "
        f"{attr.row_date(dataset, ROW_ALIAS)} AS _day{columns}, {passes} AS _passes, {span} AS _span, "
        f"{overridden} AS _overridden, {_parts(aggregate)} "
        f"FROM {crediting.table(dataset)} AS {ROW_ALIAS} {owned}{_team_join(team)} "
        f"WHERE {attr.in_dates(dataset, ROW_ALIAS, window.start, window.end)}"
        f"{crediting.kept(dataset, source.account_column, account)}{_for_employee(employee, team)}"
    )
    sql = f"{owners_ctes(crediting, (dataset.name,), source.overrides)} {_outer(inner, aggregate, read)}"
    return RowSelect(
        metric,
        offset,
        index,
        dataset.name,
        sql,
        read,
        aggregate,
        source.filter is not None,
        source.excluded,
        source.overrides,
        source.account_column,
    )


def query_rows(
    metric: str,
    offset: int,
    query: exp.Query,
    by: str,
    window: Period,
    employee: str | None,
    team: bool,
    crediting: Crediting = PLAIN,
) -> RowSelect:
    """The rows a query metric's SELECT returns in `window` (account, date, value, batch when given)."""
    account, day = f'CAST({QUERY_ALIAS}."account" AS VARCHAR)', f'CAST({QUERY_ALIAS}."date" AS DATE)'
    batch = (
        f'CAST({QUERY_ALIAS}."batch" AS VARCHAR)'
        if "batch" in query.named_selects
        else "CAST(NULL AS VARCHAR)"
    )
    aggregate = Aggregate("sum", exp.column("value", table=QUERY_ALIAS, quoted=True))
    in_window = f"{day} BETWEEN {attr.date_literal(window.start)} AND {attr.date_literal(window.end)}"
    inner = (
        f"SELECT {_owner_columns(team)}, {batch} AS _batch, CAST(NULL AS BIGINT) AS _row, {day} AS _day, "
        f'{account} AS "account", {QUERY_ALIAS}."value" AS "value", true AS _passes, CAST(NULL AS INTEGER) AS _span, '
        f"false AS _overridden, {_parts(aggregate)} "
        f"FROM _query AS {QUERY_ALIAS} {attr.owner_join(by, account, day, keep_unowned=False)}{_team_join(team)} "
        f"WHERE {in_window}{_for_employee(employee, team)}"
    )
    sql = f"{owners_ctes(crediting)}, _query AS ({query.sql(dialect=DIALECT)}) {_outer(inner, aggregate, ('account', 'value'))}"
    return RowSelect(metric, offset, 0, f"query {metric}", sql, ("account", "value"), aggregate, False)


def _read_columns(source: ResolvedSource) -> tuple[str, ...]:
    """The dataset's columns the source reads (its account, its date(s), what it aggregates and
    filters) and its key (the order number …), which names the row."""
    dataset = DATASETS[source.dataset]
    named = {source.account_column, dataset.date_column, attr.RANGE_START_COLUMN, *dataset.key}
    if dataset.name == CREDITED:  # the agent, the rule and the chat that credited the order
        named |= set(SHOWN)
    for tree in (source.expression, source.filter):
        if tree is not None:
            named |= {c.name for c in tree.find_all(exp.Column)}
    return tuple(c for c in dataset.column_names if c in named)


def _owner_columns(team: bool) -> str:
    taker = "r._manager" if team else "o._o_employee"
    return (
        f"{taker} AS _for, o._o_employee AS _employee, o._o_kind AS _kind, o._o_account AS _account, "
        "o._o_from AS _from, o._o_to AS _to"
    )


def _team_join(team: bool) -> str:
    return f" JOIN {attr.REPORTS} AS r ON r._member = o._o_employee" if team else ""


def _for_employee(employee: str | None, team: bool) -> str:
    if employee is None:
        return ""
    return f" AND {'r._manager' if team else 'o._o_employee'} = {attr.literal(employee)}"


def _parts(aggregate: Aggregate) -> str:
    """`_cond` (the aggregate's own condition), `_value`, `_key` (distinct) and `_order` (pick)."""
    condition = "true" if aggregate.condition is None else f"coalesce({_sql(aggregate.condition)}, false)"
    if aggregate.part in ("count", "distinct"):
        counted = aggregate.distinct if aggregate.part == "distinct" else aggregate.value
        value = "1" if counted is None else f"CASE WHEN ({_sql(counted)}) IS NOT NULL THEN 1 END"
    elif aggregate.value is not None:
        value = _sql(aggregate.value)
    else:
        value = "CAST(NULL AS INTEGER)"
    key = "NULL" if aggregate.distinct is None else _sql(aggregate.distinct)
    order = "NULL" if aggregate.order is None else _sql(aggregate.order)
    return f"{condition} AS _cond, {value} AS _value, {key} AS _key, {order} AS _order"


def _outer(inner: str, aggregate: Aggregate, read: tuple[str, ...]) -> str:
    """Each row's part (`_counted`) and, when it takes none, the reason (`_reason`)."""
    ok = "_passes AND _cond AND _value IS NOT NULL" + (
        " AND _order IS NOT NULL" if aggregate.part == "pick" else ""
    )
    ranked = aggregate.part in ("distinct", "pick")
    direction = "DESC" if aggregate.largest else "ASC"
    rank = (
        f", row_number() OVER (PARTITION BY _for, _employee, _account, _key ORDER BY ({ok}) DESC, "
        f"_order {direction}, _day, _batch, _row) AS _rank"
        if ranked
        else ", 1 AS _rank"
    )
    later = _code("repeat" if aggregate.part == "distinct" else "not_picked")
    reason = (
        f"CASE WHEN _overridden THEN {_code('override')} WHEN _span IS NOT NULL THEN {_code('calendar')} "
        f"WHEN NOT _passes THEN {_code('filter')} "
        f"WHEN NOT _cond THEN {_code('condition')} WHEN _value IS NULL THEN {_code('no_value')} "
        + (f"WHEN _order IS NULL THEN {_code('no_value')} " if aggregate.part == "pick" else "")
        + (f"WHEN _rank > 1 THEN {later} " if ranked else "")
        + "END"
    )
    part = "1" if aggregate.part in ("count", "distinct") else "_value"
    counted = "NULL" if aggregate.part == "other" else f"CASE WHEN {reason} IS NULL THEN {part} END"
    shown = "NULL" if aggregate.part == "other" else reason
    columns = "".join(f", {attr.quoted(c)}" for c in read)
    return (
        f"SELECT _for, _employee, _kind, _account, _from, _to, _batch, _row, _day, {counted} AS _counted, "
        f"{shown} AS _reason, _passes, _span{columns} FROM (SELECT *{rank} FROM ({inner}))"
    )


def _code(reason: str) -> int:
    """A reason as the SQL gives it: its place in EXCLUDED (`_reason`)."""
    return EXCLUDED.index(reason)


def _sql(tree: exp.Expr) -> str:
    """`tree` over the dataset's row alias: unqualified columns become `d."column"`."""
    copied = tree.copy()
    for column in list(copied.find_all(exp.Column)):
        if not column.args.get("table"):
            column.set("table", exp.to_identifier(ROW_ALIAS))
            column.set("this", exp.to_identifier(column.name, quoted=True))
    return copied.sql(dialect=DIALECT)
