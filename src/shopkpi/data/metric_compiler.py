"""Compiling the base metrics of a period into ONE DuckDB statement for every employee.

The statement scans each source once per period it needs (the period, and the previous period
only for what `prev()` reads), attributes rows to owners, and groups in two steps:

    _a<i>: per (employee, account)  every aggregate of the block, row count, batches
    _e<i>: per employee              the accounts' values added (distinct counts are per account)
    _t<i>: per manager               the same over the accounts of everyone reporting to them

A block is one dataset read with one account kind (or one query metric) for one period; every
metric source that reads it becomes a column of it. The blocks are joined on (employee, offset)
into the result: one row per employee and period offset (0 = the period, -1 = the one before),
plus one row per block for the rows no one owned (employee NULL). Ratios are not computed here:
derived metrics are evaluated on the returned sums with exact decimals (`metric_computation`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlglot import exp

from shopkpi.data import attribution as attr
from shopkpi.data.aggregation_plan import plan
from shopkpi.data.datasets import DATASETS
from shopkpi.data.metric_catalogue import Metric, MetricCatalogue, ResolvedSource, dataset_schema
from shopkpi.data.periods import Period
from shopkpi.data.sql_guard import DIALECT, checked_structure

ROW_ALIAS = "d"


@dataclass
class Block:
    """One scan: a dataset with an account kind (or a query metric) over one period."""

    index: int
    source: str
    """Dataset name, or `query <metric>`."""
    offset: int
    kind: str
    """The account kind its rows are attributed by."""
    values: dict[str, str] = field(default_factory=dict)
    """Aggregate SQL → its column (shared by the metrics that need the same SQL)."""
    team_columns: set[str] = field(default_factory=set)
    employee_columns: set[str] = field(default_factory=set)
    crossing: bool = False

    def column(self, sql: str, *, team: bool) -> str:
        name = self.values.setdefault(sql, f"v{len(self.values)}")
        (self.team_columns if team else self.employee_columns).add(name)
        return name

    @property
    def employee_prefix(self) -> str:
        return f"b{self.index}_"

    @property
    def team_prefix(self) -> str:
        return f"t{self.index}_"


@dataclass(frozen=True)
class SourceColumn:
    """Where one source of a base metric is found in the result row."""

    block: int
    column: str
    """Result column name (`b3_v0` or `t3_v0`)."""
    team: bool


@dataclass(frozen=True)
class CompiledPeriod:
    sql: str
    period: Period
    blocks: tuple[Block, ...]
    sources: dict[tuple[str, int], tuple[SourceColumn, ...]]
    """(base metric, offset) → its sources' columns."""
    columns: tuple[str, ...]
    """Result columns after `_employee`, `_offset`."""


def compile_period(catalogue: MetricCatalogue, names: Iterable[str], period: Period) -> CompiledPeriod:
    """The statement computing the base metrics `names` need, for `period` (and its previous one)."""
    current, previous = catalogue.needed(names)
    blocks: dict[tuple[str, str, str, int], Block] = {}
    sources: dict[tuple[str, int], tuple[SourceColumn, ...]] = {}
    ctes: list[str] = []
    for offset, wanted in ((0, current), (-1, previous)):
        for name in catalogue.order:
            metric = catalogue.metrics[name]
            if name not in wanted or not metric.is_base:
                continue
            team = metric.scope == "team"
            found: list[SourceColumn] = []
            if metric.query is not None:
                by = metric.definition.by  # type: ignore[union-attr]
                block = _block(blocks, ("query", name, by, offset), f"query {name}", offset)
                found.append(_source_column(block, 'sum(q."value")', team))
            for source in metric.sources:
                block = _block(
                    blocks,
                    (source.dataset, source.kind, source.account_column, offset),
                    source.dataset,
                    offset,
                )
                found.append(_source_column(block, _aggregate_sql(source), team))
            sources[(name, offset)] = tuple(found)
    ordered = sorted(blocks.items(), key=lambda item: item[1].index)
    has_team = any(block.team_columns for block in blocks.values())
    ctes.append(attr.owners_cte())
    if has_team:
        ctes.append(attr.reports_cte())
    columns: list[str] = []
    for key, block in ordered:
        window = period if block.offset == 0 else period.previous()
        if key[0] == "query":
            metric = catalogue.metrics[key[1]]
            ctes.append(f"_q{block.index} AS ({_query_sql(metric)})")
            ctes.append(_query_block(block, metric, window))
        else:
            ctes.extend(_dataset_block(block, key[1], key[2], window))
        ctes.append(_employee_cte(block))
        columns.extend(_employee_columns(block))
        if block.team_columns:
            ctes.append(_team_cte(block))
            columns.extend(_team_columns(block))
    joins = [f"_e{block.index}" for _, block in ordered] + [
        f"_t{b.index}" for _, b in ordered if b.team_columns
    ]
    select = ", ".join(["_employee", "_offset", *columns])
    if joins:
        body = " FULL JOIN ".join([joins[0], *(f"{j} USING (_employee, _offset)" for j in joins[1:])])
        sql = f"WITH RECURSIVE {', '.join(ctes)} SELECT {select} FROM {body}"
    else:
        sql = "SELECT CAST(NULL AS VARCHAR) AS _employee, 0 AS _offset WHERE false"
    checked_structure(sql, subject=f"metrics for {period}", schema=dataset_schema())
    return CompiledPeriod(sql, period, tuple(b for _, b in ordered), sources, tuple(columns))


def _block(
    blocks: dict[tuple[str, str, str, int], Block], key: tuple[str, str, str, int], source: str, offset: int
) -> Block:
    if key not in blocks:
        blocks[key] = Block(
            index=len(blocks), source=source, offset=offset, kind=key[2] if key[0] == "query" else key[1]
        )
        if key[0] in DATASETS:
            blocks[key].crossing = attr.RANGE_START_COLUMN in DATASETS[key[0]].column_names
    return blocks[key]


def _source_column(block: Block, sql: str, team: bool) -> SourceColumn:
    column = block.column(sql, team=team)
    prefix = block.team_prefix if team else block.employee_prefix
    return SourceColumn(block=block.index, column=prefix + column, team=team)


def _aggregate_sql(source: ResolvedSource) -> str:
    """The source's aggregate over alias `d`, restricted to its filter; null when no row passes."""
    expression = _qualified(source.expression)
    if source.filter is None:
        return expression.sql(dialect=DIALECT)
    condition = _qualified(source.filter)
    holder = exp.Paren(this=expression)  # so that a bare aggregate at the top can be replaced too
    for aggregate in list(expression.find_all(exp.AggFunc)):
        parent = aggregate.parent
        if isinstance(parent, exp.Filter) and isinstance(parent.expression, exp.Where):
            parent.expression.set("this", exp.and_(condition.copy(), parent.expression.this))
        else:
            aggregate.replace(exp.Filter(this=aggregate.copy(), expression=exp.Where(this=condition.copy())))
    guard = condition.sql(dialect=DIALECT)
    return f"CASE WHEN count(*) FILTER (WHERE {guard}) > 0 THEN {holder.sql(dialect=DIALECT)} END"


def _qualified(node: exp.Expr) -> exp.Expr:
    def qualify(n: exp.Expr) -> exp.Expr:
        if isinstance(n, exp.Column) and not n.args.get("table"):
            n = n.copy()
            n.set("table", exp.to_identifier(ROW_ALIAS))
        return n

    return node.copy().transform(qualify)


def _dataset_block(block: Block, kind: str, account_column: str, window: Period) -> list[str]:
    """The `_p`/`_a` CTEs computing the block per (employee, account); see `aggregation_plan`."""
    dataset = DATASETS[block.source]
    day = attr.row_date(dataset, ROW_ALIAS)
    account = f"{ROW_ALIAS}.{attr.quoted(account_column)}"
    crossing = attr.crossing_rows(dataset, ROW_ALIAS)
    extra = ["count(*)", *([crossing] if crossing else [])]
    steps = plan(list(block.values), extra)
    finals = list(steps.finals)
    rows = finals.pop(0)
    crossed = finals.pop(0) if crossing else "0"
    values = "".join(
        f", {sql} AS {column}" for sql, column in zip(finals, block.values.values(), strict=True)
    )
    source = (
        f"FROM {attr.quoted(dataset.name)} AS {ROW_ALIAS} {attr.owner_join(kind, account, day)} "
        f"WHERE {attr.in_dates(dataset, ROW_ALIAS, window.start, window.end)}"
    )
    if steps.mode == "direct":
        return [
            f"_a{block.index} AS (SELECT o._o_employee AS _employee, {account} AS _account, {block.offset} AS _offset, "
            f"{rows} AS _rows, list(DISTINCT {ROW_ALIAS}._batch) AS _batches, {crossed} AS _crossing{values} "
            f"{source} GROUP BY 1, 2, 3)"
        ]
    distinct = steps.distinct_column
    u_select = f", {distinct} AS _u" if distinct else ""
    u_key = f", {distinct}" if distinct else ""
    partials = "".join(f", {sql} AS {name}" for sql, name in steps.partials)
    batch = f"{ROW_ALIAS}._batch"
    return [
        f"_p{block.index} AS (SELECT o._o_employee AS _employee, {account} AS _account{u_select}, {batch} AS _b, "
        f"GROUPING({batch}) AS _g{partials} {source} "
        f"GROUP BY GROUPING SETS ((o._o_employee, {account}{u_key}), (o._o_employee, {account}, {batch})))",
        f"_a{block.index} AS (SELECT _employee, _account, {block.offset} AS _offset, {rows} AS _rows, "
        f"list(_b) FILTER (WHERE _g = 0) AS _batches, {crossed} AS _crossing{values} "
        f"FROM _p{block.index} GROUP BY 1, 2)",
    ]


def _query_sql(metric: Metric) -> str:
    assert metric.query is not None
    return metric.query.sql(dialect=DIALECT)


def _query_block(block: Block, metric: Metric, window: Period) -> str:
    kind = metric.definition.by  # type: ignore[union-attr]
    account = 'CAST(q."account" AS VARCHAR)'
    day = 'CAST(q."date" AS DATE)'
    assert metric.query is not None
    batches = (
        'list(DISTINCT CAST(q."batch" AS VARCHAR))'
        if "batch" in metric.query.named_selects
        else ("CAST([] AS VARCHAR[])")
    )
    values = "".join(f", {sql} AS {column}" for sql, column in block.values.items())
    return (
        f"_a{block.index} AS (SELECT o._o_employee AS _employee, {account} AS _account, {block.offset} AS _offset, "
        f"count(*) AS _rows, {batches} AS _batches, 0 AS _crossing{values} "
        f"FROM _q{block.index} AS q {attr.owner_join(kind, account, day)} "
        f"WHERE {day} BETWEEN {attr.date_literal(window.start)} AND {attr.date_literal(window.end)} GROUP BY 1, 2, 3)"
    )


def _employee_cte(block: Block) -> str:
    p = block.employee_prefix
    values = "".join(f", sum({c}) AS {p}{c}" for c in sorted(block.employee_columns))
    return (
        f"_e{block.index} AS (SELECT _employee, _offset, sum(_rows) AS {p}rows, "
        f"list_distinct(flatten(list(_batches))) AS {p}batches, list(_account) AS {p}accounts, "
        f"sum(_crossing) AS {p}crossing_rows, list(_account) FILTER (WHERE _crossing > 0) AS {p}crossing_accounts"
        f"{values} FROM _a{block.index} GROUP BY 1, 2)"
    )


def _employee_columns(block: Block) -> list[str]:
    p = block.employee_prefix
    fixed = [f"{p}{c}" for c in ("rows", "batches", "accounts", "crossing_rows", "crossing_accounts")]
    return fixed + [f"{p}{c}" for c in sorted(block.employee_columns)]


def _team_cte(block: Block) -> str:
    p = block.team_prefix
    values = "".join(f", sum(a.{c}) AS {p}{c}" for c in sorted(block.team_columns))
    return (
        f"_t{block.index} AS (SELECT r._manager AS _employee, a._offset AS _offset, sum(a._rows) AS {p}rows, "
        f"list_distinct(flatten(list(a._batches))) AS {p}batches{values} "
        f"FROM _a{block.index} AS a JOIN {attr.REPORTS} AS r ON r._member = a._employee GROUP BY 1, 2)"
    )


def _team_columns(block: Block) -> list[str]:
    p = block.team_prefix
    return [f"{p}rows", f"{p}batches"] + [f"{p}{c}" for c in sorted(block.team_columns)]
