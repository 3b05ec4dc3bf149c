"""Row overrides: HR's decisions on single source rows, applied after every other attribution rule.

An appeal on a row (the employee's "这单是我接的" or "这天我休假") ends, when HR accepts it, in a
decision on that one row of a dataset, named by its import batch and its row in the file:

    RowOverride("orders", "agent", "b-0912", 14, credit_to="E2", reason="…")   # counts for E2
    RowOverride("orders", "agent", "b-0912", 15, credit_to=None, reason="休假") # counts for no one

The batch and row are what people are shown; what names the row is its `RowReference`, which survives
HR withdrawing the batch and importing the same (or a corrected) file again: the dataset's key values
(an order's 订单编号 and shop) or, for a dataset without a key, the row's whole content (its typed
values). `reference` reads it from the row's batch (current or withdrawn), `locate` finds each
override's row in the current data: an override whose row is gone, or whose reference names several
rows, is not applied and is reported (`Located.unfound`), never dropped silently.

An override applies where the row is attributed by its `kind` of account (an order re-credited
between two agents stays the shop's order: a source reading orders by shop is not touched).

The data layer knows nothing of appeals: the application hands a month's overrides in as data, as it
hands in the organisation snapshot and the exclusion calendars. `with_row_overrides(catalogue,
overrides)` is the catalogue whose sources reading an overridden dataset carry them (`ResolvedSource
.overrides`), and both the metric step (`compiler`, `block_sql`) and the drill-down (`row_sql`) read
them from there, so the rows page and the value agree:

- an excluded row joins the source's filter, as an exclusion calendar's day does: the metric is as if
  the row were absent, and the drill-down lists it with the reason `override` and HR's reason;
- a re-credited row is attributed to `credit_to` whoever owns its account or what the credit rules
  say: its account is read as `credit_account(employee)`, an account only `credit_to` owns, for every
  day (`owner_rows`); the drill-down names the rule `override`.

Overrides come last: they apply to the row as the other rules would have credited it, whatever that
was. They apply to the sources reading a dataset's rows (not to a query metric's SELECT), and a
source read from a roll-up is read from its rows instead while it has overrides.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import duckdb
from sqlglot import exp

from shopkpi.data.datasets import DATASETS
from shopkpi.data.metrics import attribution as attr
from shopkpi.data.metrics.crediting import PLAIN, Crediting
from shopkpi.scorecard.periods import Period

if TYPE_CHECKING:
    from shopkpi.data.metrics.catalogue import MetricCatalogue, ResolvedSource
    from shopkpi.data.warehouse.catalogue import Warehouse

CREDIT_PREFIX = "§credit:"
"""The account of a re-credited row: `§credit:E2`, owned by E2 alone (never an imported account)."""


@dataclass(frozen=True)
class RowOverride:
    """HR's decision on one row: credit it to `credit_to`, or (None) leave it out, with the reason."""

    dataset: str
    kind: str
    """The account kind whose attribution it decides (`agent`, `shop` …)."""
    batch: str
    row: int
    credit_to: str | None
    reason: str
    named: RowReference | None = None
    """What names the row across re-imports (`locate` finds it); None: its batch and row alone."""

    @property
    def key(self) -> tuple[str, int]:
        return (self.batch, self.row)


@dataclass(frozen=True)
class RowReference:
    """What names a row of a dataset whatever batch holds it: the dataset's key values (`by` "key"),
    or, for a dataset without a key, every column's value (`by` "content") and which of the batch's
    identical rows it is (`nth`, from 0 in file order). Values are as DuckDB writes the typed value as
    text (NULL: None), so `2026-03-31` and `10.50` match whatever file they were imported from."""

    by: Literal["key", "content"]
    values: tuple[tuple[str, str | None], ...]
    nth: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"by": self.by, "values": dict(self.values), "nth": self.nth}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RowReference:
        by: Literal["key", "content"] = "key" if data.get("by") == "key" else "content"
        values = data.get("values") or {}
        return cls(
            by,
            tuple((str(c), None if v is None else str(v)) for c, v in values.items()),
            int(data.get("nth") or 0),
        )


def reference_columns(dataset: str) -> tuple[tuple[str, ...], Literal["key", "content"]]:
    """The columns naming a row of `dataset` across re-imports: its key, else all its columns."""
    found = DATASETS[dataset]
    return (found.key, "key") if found.key else (found.column_names, "content")


def reference(
    warehouse: Warehouse, connection: duckdb.DuckDBPyConnection, dataset: str, batch: str, row: int
) -> RowReference | None:
    """The reference of row `row` of `batch`, read from the batch's own file (current or withdrawn:
    a row of a computed `order_credits` is its order's row, read by the same key); None when the
    batch or its file is gone or has no such row. `connection` is `warehouse.connect()`'s."""
    found = connection.execute("SELECT path FROM batches WHERE id = ?", [batch]).fetchone()
    if found is None or not warehouse.store.present([str(found[0])]):
        return None
    columns, by = reference_columns(dataset)
    source = f"read_parquet({attr.literal(warehouse.store.uri(str(found[0])))})"
    read = [f"CAST({attr.quoted(c)} AS VARCHAR)" for c in columns]
    try:
        values = connection.execute(
            f"SELECT {', '.join(read)} FROM {source} WHERE _row = ?", [row]
        ).fetchone()
    except duckdb.Error:  # the file lacks a column (another dataset's) or `_row` (an old batch)
        return None
    if values is None:
        return None
    nth = 0
    if by == "content":  # which of the batch's identical rows, in file order
        same = " AND ".join(f"{r} IS NOT DISTINCT FROM ?" for r in read)
        before = connection.execute(
            f"SELECT count(*) FROM {source} WHERE _row < ? AND {same}", [row, *values]
        ).fetchone()
        nth = int(before[0]) if before else 0
    return RowReference(by, tuple(zip(columns, values, strict=True)), nth)


@dataclass(frozen=True)
class Unfound:
    """An override `locate` found no single row for: `matches` rows (0: the row is gone)."""

    override: RowOverride
    matches: int


@dataclass(frozen=True)
class Located:
    applied: tuple[RowOverride, ...]
    """The overrides found, each at the batch and row holding its row now."""
    unfound: tuple[Unfound, ...]


def locate(
    connection: duckdb.DuckDBPyConnection,
    catalogue: MetricCatalogue,
    overrides: Iterable[RowOverride],
    first: dt.date,
    last: dt.date,
) -> Located:
    """Each override's row among the current rows of its dataset dated `first`..`last`, read as the
    metrics read them (the credit rules' `order_credits`): by its reference, or by its batch and row
    when it has none. One query per dataset. `connection` is shaped like `Warehouse.connect()`."""
    crediting = Crediting(catalogue.credit, catalogue.shifts, first, last)
    by_dataset: dict[str, list[RowOverride]] = {}
    for override in overrides:
        by_dataset.setdefault(override.dataset, []).append(override)
    applied: list[RowOverride] = []
    unfound: list[Unfound] = []
    for dataset, some in by_dataset.items():
        rows = _candidates(connection, crediting, dataset, some, first, last)
        for override in some:
            places = _places(override, rows)
            if len(places) == 1:
                applied.append(dataclasses.replace(override, batch=places[0][0], row=places[0][1]))
            else:
                unfound.append(Unfound(override, len(places)))
    return Located(tuple(applied), tuple(unfound))


def _candidates(
    connection: duckdb.DuckDBPyConnection,
    crediting: Crediting,
    dataset: str,
    overrides: Sequence[RowOverride],
    first: dt.date,
    last: dt.date,
) -> list[tuple[str, int, dict[str, str | None]]]:
    """(batch, row, values of the reference columns) of the rows any of `overrides` may name."""
    found = DATASETS[dataset]
    columns, _ = reference_columns(dataset)
    conditions: list[str] = []
    parameters: list[object] = []
    for override in overrides:
        if override.named is None:
            conditions.append("(d._batch = ? AND d._row = ?)")
            parameters += [override.batch, override.row]
            continue
        parts = []
        for column, value in override.named.values:
            parts.append(f"CAST(d.{attr.quoted(column)} AS VARCHAR) IS NOT DISTINCT FROM ?")
            parameters.append(value)
        conditions.append("(" + " AND ".join(parts or ["false"]) + ")")
    computed = crediting.ctes([dataset], with_row=True)
    dated = f"{attr.in_dates(found, 'd', first, last)} AND " if found.date_column is not None else ""
    read = ", ".join(f"CAST(d.{attr.quoted(c)} AS VARCHAR)" for c in columns)
    sql = (
        ("WITH " + ", ".join(computed) + " " if computed else "")
        + f"SELECT d._batch, d._row, {read} FROM {crediting.table(found)} AS d "
        f"WHERE {dated}({' OR '.join(conditions)}) ORDER BY 1, 2"
    )
    return [
        (str(batch), int(row), dict(zip(columns, [None if v is None else str(v) for v in rest], strict=True)))
        for batch, row, *rest in connection.execute(sql, parameters).fetchall()
        if batch is not None and row is not None
    ]


def _places(
    override: RowOverride, rows: Sequence[tuple[str, int, dict[str, str | None]]]
) -> list[tuple[str, int]]:
    """Where the override's row is now: one place, or none or several (not applied)."""
    named = override.named
    if named is None:
        return [(b, r) for b, r, _ in rows if (b, r) == override.key]
    wanted = dict(named.values)
    matching = [(b, r) for b, r, values in rows if all(values.get(c) == v for c, v in wanted.items())]
    batches = {b for b, _ in matching}
    if named.by == "key" or len(batches) != 1:
        return matching
    return matching[named.nth : named.nth + 1]  # the same one of a batch's identical rows


def credit_account(employee: str) -> str:
    return CREDIT_PREFIX + employee


def with_row_overrides(catalogue: MetricCatalogue, overrides: Iterable[RowOverride]) -> MetricCatalogue:
    """The catalogue with each override on the sources that read its dataset (the last override of a
    row wins)."""
    by_dataset: dict[tuple[str, str], dict[tuple[str, int], RowOverride]] = {}
    for override in overrides:
        by_dataset.setdefault((override.dataset, override.kind), {})[override.key] = override
    if not by_dataset:
        return catalogue
    metrics = dict(catalogue.metrics)
    for name, metric in catalogue.metrics.items():
        if any((s.dataset, s.kind) in by_dataset for s in metric.sources):
            sources = tuple(
                _overridden(s, tuple(by_dataset.get((s.dataset, s.kind), {}).values()))
                for s in metric.sources
            )
            metrics[name] = dataclasses.replace(metric, sources=sources)
    return dataclasses.replace(catalogue, metrics=MappingProxyType(metrics))  # keeps the credit rules, shifts


def _overridden(source: ResolvedSource, overrides: tuple[RowOverride, ...]) -> ResolvedSource:
    if not overrides:
        return source
    excluded = rows_condition(o for o in overrides if o.credit_to is None)
    condition = source.filter
    if excluded is not None:
        keep = exp.Not(this=exp.Paren(this=excluded))
        condition = keep if condition is None else exp.and_(exp.Paren(this=condition.copy()), keep)
    return dataclasses.replace(source, filter=condition, overrides=source.overrides + overrides)


def rows_condition(overrides: Iterable[RowOverride], alias: str | None = None) -> exp.Expr | None:
    """The rows `overrides` name (`_batch = 'b' AND _row = 14 OR …`), or None when there are none."""
    found: list[exp.Expr] = []
    for override in overrides:
        batch = exp.column("_batch", table=alias, quoted=True)
        row = exp.column("_row", table=alias, quoted=True)
        found.append(
            exp.Paren(
                this=exp.and_(
                    exp.EQ(this=batch, expression=exp.Literal.string(override.batch)),
                    exp.EQ(this=row, expression=exp.Literal.number(override.row)),
                )
            )
        )
    return exp.or_(*found) if found else None


def account_sql(column_sql: str, overrides: Sequence[RowOverride], alias: str, dialect: str) -> str:
    """The account a row is attributed by: its `column_sql`, or a re-credited row's `credit_account`."""
    credits = [o for o in overrides if o.credit_to is not None]
    if not credits:
        return column_sql
    whens = " ".join(
        f"WHEN {rows_condition([o], alias).sql(dialect=dialect)} "  # type: ignore[union-attr]
        f"THEN {exp.Literal.string(credit_account(o.credit_to or '')).sql(dialect=dialect)}"
        for o in credits
    )
    return f"CASE {whens} ELSE {column_sql} END"


def owner_rows(overrides: Iterable[RowOverride]) -> list[tuple[str, str, str]]:
    """(employee, kind, account) of each re-credit's account, for the owners' table."""
    pairs = sorted({(o.credit_to, o.kind) for o in overrides if o.credit_to is not None})
    return [(e, kind, credit_account(e)) for e, kind in pairs]


def by_row(overrides: Iterable[RowOverride]) -> Mapping[tuple[str, int], RowOverride]:
    return {o.key: o for o in overrides}


@dataclass(frozen=True)
class NamedRow:
    """A row of a dataset named by a value of its key (an order number an appeal names)."""

    dataset: str
    batch: str
    row: int
    day: dt.date
    account: str | None
    key: Mapping[str, object]
    """The dataset's key columns and their values."""


def rows_by_key(
    connection: duckdb.DuckDBPyConnection,
    dataset: str,
    value: str,
    window: Period,
    crediting: Crediting = PLAIN,
) -> list[NamedRow]:
    """The rows of `dataset` dated in `window` whose first key column (订单编号 …) is `value`, read as
    `crediting` reads them (an order the credit rules left 静默 is a row of `order_credits` too).

    `connection` is shaped like `Warehouse.connect()`."""
    found = DATASETS[dataset]
    if not found.key or found.date_column is None or found.account_column is None:
        return []
    keys = ", ".join(f"d.{attr.quoted(c)}" for c in found.key)
    computed = crediting.ctes([dataset], with_row=True)
    sql = (
        ("WITH " + ", ".join(computed) + " " if computed else "")
        + f"SELECT d._batch, d._row, {attr.row_date(found, 'd')}, d.{attr.quoted(found.account_column)}, {keys} "
        f"FROM {crediting.table(found)} AS d WHERE d.{attr.quoted(found.key[0])} = ? "
        f"AND {attr.in_dates(found, 'd', window.start, window.end)} ORDER BY 1, 2"
    )
    return [
        NamedRow(
            dataset,
            str(batch),
            int(row),
            day,
            None if account is None else str(account),
            dict(zip(found.key, rest, strict=True)),
        )
        for batch, row, day, account, *rest in connection.execute(sql, [value]).fetchall()
        if batch is not None and row is not None
    ]
