"""Row overrides: HR's decisions on single source rows, applied after every other attribution rule.

An appeal on a row (the employee's "这单是我接的" or "这天我休假") ends, when HR accepts it, in a
decision on that one row of a dataset, named by its import batch and its row in the file:

    RowOverride("orders", "agent", "b-0912", 14, credit_to="E2", reason="…")   # counts for E2
    RowOverride("orders", "agent", "b-0912", 15, credit_to=None, reason="休假") # counts for no one

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
from typing import TYPE_CHECKING

import duckdb
from sqlglot import exp

from shopkpi.data.datasets import DATASETS
from shopkpi.data.metrics import attribution as attr
from shopkpi.data.metrics.crediting import PLAIN, Crediting
from shopkpi.scorecard.periods import Period

if TYPE_CHECKING:
    from shopkpi.data.metrics.catalogue import MetricCatalogue, ResolvedSource

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

    @property
    def key(self) -> tuple[str, int]:
        return (self.batch, self.row)


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
