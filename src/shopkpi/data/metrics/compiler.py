"""Compiling the base metrics of a period into ONE DuckDB statement for every employee.

The statement scans each source once per period it needs (the period, and the previous period
only for what `prev()` reads), attributes rows to owners, and computes per employee the sum over
their accounts of each aggregate (distinct counts are per account), with the rows, batches and
accounts it read (`block_sql` has the CTEs of one block; `aggregation_plan` the two-step
aggregation of distinct counts). Team-scope values add the employees' values over everyone who
reports to a manager.

A block is one dataset read with one account kind (or one query metric) for one period; every
metric source that reads it becomes a column of it. The blocks are joined on (employee, offset)
into the result: one row per employee and period offset (0 = the period, -1 = the one before),
plus one row per block for the rows no one owned (employee NULL). Ratios are not computed here:
derived metrics are evaluated on the returned sums with exact decimals (`metric_computation`).

A dataset block reads the dataset's roll-up (`rollups`) where the connection has one and the
block's values allow it (`rollup_reading`). The SQL placed in the statement is the catalogue's,
checked when the catalogue was loaded (user definitions in full, `sql_guard`; the shipped ones by
the test suite); each fragment's structure (tables, functions, statement kinds) is checked again
here on its parsed tree, which costs no parsing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from sqlglot import exp

from shopkpi.data.datasets import DATASETS
from shopkpi.data.metrics import attribution as attr
from shopkpi.data.metrics import credit_sql
from shopkpi.data.metrics.block_sql import (
    ROW_ALIAS,
    BlockSource,
    block_ctes,
    pairs_ctes,
    team_cte,
)
from shopkpi.data.metrics.catalogue import Metric, MetricCatalogue, ResolvedSource, dataset_schema
from shopkpi.data.metrics.crediting import Crediting
from shopkpi.data.metrics.definitions import QueryMetric
from shopkpi.data.metrics.row_overrides import RowOverride, owner_rows
from shopkpi.data.metrics.sql_guard import DIALECT, checked_tree
from shopkpi.data.warehouse import rollups
from shopkpi.data.warehouse.rollup_reading import readable
from shopkpi.scorecard.periods import Period


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
    trees: dict[str, exp.Expr] = field(default_factory=dict)
    """Aggregate SQL → the aggregate, parsed."""
    team_columns: set[str] = field(default_factory=set)
    employee_columns: set[str] = field(default_factory=set)
    ranged: bool = False
    """Its rows may cover a date range (`BlockSource.ranged`): the result has its crossing columns."""

    def column(self, tree: exp.Expr, *, team: bool) -> str:
        sql = tree.sql(dialect=DIALECT, copy=False)
        name = self.values.setdefault(sql, f"v{len(self.values)}")
        self.trees.setdefault(sql, tree)
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


def compile_period(
    catalogue: MetricCatalogue, names: Iterable[str], period: Period, *, rollups_read: Collection[str] = ()
) -> CompiledPeriod:
    """The statement computing the base metrics `names` need, for `period` (and its previous one).

    `rollups_read`: the datasets whose roll-up view (`rollups.view_name`) the statement may read."""
    current, previous = catalogue.needed(names)
    schema = dataset_schema()
    blocks: dict[tuple[str, str, str, int], Block] = {}
    sources: dict[tuple[str, int], tuple[SourceColumn, ...]] = {}
    for offset, wanted in ((0, current), (-1, previous)):
        for name in catalogue.order:
            metric = catalogue.metrics[name]
            if name not in wanted or not metric.is_base:
                continue
            team = metric.scope == "team"
            _check_fragments(metric, schema)
            found: list[SourceColumn] = []
            if isinstance(metric.definition, QueryMetric):
                by = metric.definition.by
                block = _block(blocks, ("query", name, by, offset), f"query {name}", offset)
                found.append(_source_column(block, _QUERY_VALUE, team))
            for source in metric.sources:
                block = _block(
                    blocks,
                    (source.dataset, source.kind, source.account_column, offset),
                    source.dataset,
                    offset,
                )
                found.append(_source_column(block, _aggregate(source), team))
            sources[(name, offset)] = tuple(found)
    ordered = sorted(blocks.items(), key=lambda item: item[1].index)
    overridden = _overrides(catalogue, current | previous)
    credit = Crediting(catalogue.credit, catalogue.shifts, period.previous().start, period.end)
    ctes = [
        attr.owners_cte(owner_rows(o for found in overridden.values() for o in found), credit.owner_rows()),
        *pairs_ctes(),
        # HR's decisions name rows by their file row: then the computed rows keep it too
        *credit.ctes((k[0] for k in blocks), with_row=any(d == credit_sql.DATASET for d, _ in overridden)),
    ]
    columns: list[str] = []
    for key, block in ordered:
        window = period if block.offset == 0 else period.previous()
        if key[0] == "query":
            query = catalogue.metrics[key[1]].query
            assert query is not None
            reads = BlockSource(
                block.index,
                block.offset,
                block.kind,
                None,
                None,
                query.sql(dialect=DIALECT),
                "batch" in query.named_selects,
            )
        else:
            dataset = DATASETS[key[0]]
            overrides = overridden.get((key[0], key[1]), ())
            rollup = (
                rollups.view_name(dataset)
                if dataset.name in rollups_read
                and readable(dataset, key[2])
                and not overrides
                and not credit.by_shift(dataset, block.kind)  # a roll-up has no hours
                else None
            )
            reads = BlockSource(
                block.index,
                block.offset,
                block.kind,
                key[0],
                key[2],
                rollup=rollup,
                overrides=overrides,
                crediting=credit,
            )
        values = [(block.trees[sql], column) for sql, column in block.values.items()]
        ctes.extend(block_ctes(reads, values, window))
        block.ranged = reads.ranged
        columns.extend(f"{block.employee_prefix}{c}" for c in reads.account_columns())
        columns.extend(f"{block.employee_prefix}{c}" for c in sorted(block.employee_columns))
        if block.team_columns:
            ctes.append(team_cte(block.index, sorted(block.team_columns)))
            columns.extend(
                f"{block.team_prefix}{c}" for c in ("rows", "batches", *sorted(block.team_columns))
            )
    joins = [f"_e{block.index}" for _, block in ordered] + [
        f"_t{b.index}" for _, b in ordered if b.team_columns
    ]
    select = ", ".join(["_employee", "_offset", *columns])
    if joins:
        body = " FULL JOIN ".join([joins[0], *(f"{j} USING (_employee, _offset)" for j in joins[1:])])
        sql = f"WITH {', '.join(ctes)} SELECT {select} FROM {body}"
    else:
        sql = "SELECT CAST(NULL AS VARCHAR) AS _employee, 0 AS _offset WHERE false"
    return CompiledPeriod(sql, period, tuple(b for _, b in ordered), sources, tuple(columns))


def _overrides(
    catalogue: MetricCatalogue, names: Iterable[str]
) -> dict[tuple[str, str], tuple[RowOverride, ...]]:
    """(dataset, kind) → the row overrides its sources carry (`row_overrides`: every source reading
    the dataset by the kind carries the same)."""
    found: dict[tuple[str, str], tuple[RowOverride, ...]] = {}
    for name in names:
        for source in catalogue.metrics[name].sources:
            if source.overrides:
                found[(source.dataset, source.kind)] = source.overrides
    return found


def _block(
    blocks: dict[tuple[str, str, str, int], Block], key: tuple[str, str, str, int], source: str, offset: int
) -> Block:
    if key not in blocks:
        blocks[key] = Block(
            index=len(blocks), source=source, offset=offset, kind=key[2] if key[0] == "query" else key[1]
        )
    return blocks[key]


_QUERY_VALUE = exp.Sum(this=exp.column("value", table="q", quoted=True))


def _check_fragments(metric: Metric, schema: dict[str, dict[str, str]]) -> None:
    """The structure of the metric's SQL (checked in full when its file was loaded), on its trees."""
    subject = f"metric {metric.name}"
    if metric.query is not None:
        checked_tree(metric.query, subject=subject, schema=schema)
    for source in metric.sources:
        checked_tree(source.expression, subject=subject, schema=schema)
        if source.filter is not None:
            checked_tree(source.filter, subject=subject, schema=schema)


def _source_column(block: Block, tree: exp.Expr, team: bool) -> SourceColumn:
    column = block.column(tree, team=team)
    prefix = block.team_prefix if team else block.employee_prefix
    return SourceColumn(block=block.index, column=prefix + column, team=team)


def _aggregate(source: ResolvedSource) -> exp.Expr:
    """The source's aggregate over alias `d`, restricted to its filter; null when no row passes."""
    expression = _qualified(source.expression)
    if source.filter is None:
        return expression
    condition = _qualified(source.filter)
    holder = exp.Paren(this=expression)  # so that a bare aggregate at the top can be replaced too
    for aggregate in list(expression.find_all(exp.AggFunc)):
        parent = aggregate.parent
        if isinstance(parent, exp.Filter) and isinstance(parent.expression, exp.Where):
            parent.expression.set("this", exp.and_(condition.copy(), parent.expression.this))
        else:
            aggregate.replace(exp.Filter(this=aggregate.copy(), expression=exp.Where(this=condition.copy())))
    passing = exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=condition.copy()))
    guard = exp.GT(this=passing, expression=exp.Literal.number(0))
    return exp.Case(ifs=[exp.If(this=guard, true=holder.this)])


def _qualified(node: exp.Expr) -> exp.Expr:
    """A copy of `node` with its columns qualified by the row alias (`d."uv"`)."""
    copied = node.copy()
    for column in list(copied.find_all(exp.Column)):
        if not column.args.get("table"):
            column.set("table", exp.to_identifier(ROW_ALIAS))
            column.set("this", exp.to_identifier(column.name, quoted=True))
    return copied
