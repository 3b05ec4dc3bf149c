"""A month's values from the shop-data layer: the one place the appraisal reads the warehouse.

`metric_values` gives the metric values of the period (`shopkpi.data.compute_metrics` on the engine
`SHOPKPI_METRICS_ENGINE` names, DuckDB over the warehouse by default; attributed by a snapshot of the
organisation in the application database, named in each value's source, and then by HR's decisions
on single rows found in the current data, `row_appeals.with_decisions`), then the
period's imported `targets` and `inputs` (an input of the same name wins over a target), each with
its provenance; `imported_ratings` gives the period's imported `ratings` rows. With no warehouse
yet (nothing imported) both return nothing. Both read for many employees at once: a month is read
once for everyone (`month_close`), never per review.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import duckdb

    from shopkpi.data.warehouse.read_windows import Reads

SELF_RATERS = frozenset({"self", "自评", "本人"})  # a `ratings` row's rater naming the employee


class Metric(NamedTuple):
    """One value of one employee in one period, and where it came from."""

    value: Decimal | None
    source: str
    batches: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportedRating:
    """One row of the imported `ratings` dataset: `item` is an item's key or its name."""

    item: str
    rating: str
    rater: str  # "supervisor" or "self"
    batch: str


@contextmanager
def warehouse_connection(
    home: Path, reads: Reads | None = None
) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """One connection to the warehouse of `home` for the reads of a month (`metric_values`,
    `imported_ratings`), closed after; None when nothing is imported yet. Opening one copies the batch
    catalogue and makes a view per dataset: a month's reads share it. `reads` (`month_reads`): the
    dates its metric reads need, each view then over only the batches of those dates."""
    from shopkpi.data.warehouse.catalogue import Warehouse

    warehouse = Warehouse(home)
    if not warehouse.catalogue.exists():
        yield None
        return
    connection = warehouse.connect(reads=reads)
    try:
        yield connection
    finally:
        connection.close()


def month_reads(home: Path, period: str, names: Iterable[str] | None) -> Reads:
    """The dates of each dataset `metric_values` reads for the metrics `names` (None: every one) of
    `period` (`metrics.reads.month_reads`), for `warehouse_connection`."""
    from shopkpi.data.metrics.catalogue import load_catalogue
    from shopkpi.data.metrics.reads import month_reads as reads_of

    catalogue = load_catalogue(home)
    wanted = None if names is None else sorted(n for n in names if n in catalogue.metrics)
    return reads_of(catalogue, wanted, period)


def metric_values(
    home: Path,
    period: str,
    employee_codes: Sequence[str],
    names: Iterable[str] | None = None,
    *,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> dict[str, dict[str, Metric]]:
    """Values by employee code and name; `names` narrows to the names the templates read. Read through
    `connection` (`warehouse_connection`), else through one of its own."""
    if not employee_codes:
        return {}
    if connection is None:
        with warehouse_connection(home, month_reads(home, period, names)) as own:
            return {} if own is None else _metric_values(home, own, period, employee_codes, names)
    return _metric_values(home, connection, period, employee_codes, names)


def _metric_values(
    home: Path,
    connection: duckdb.DuckDBPyConnection,
    period: str,
    employee_codes: Sequence[str],
    names: Iterable[str] | None,
) -> dict[str, dict[str, Metric]]:
    from shopkpi.appraisal.organisation.snapshot import take_snapshot
    from shopkpi.appraisal.reviews.row_appeals import with_decisions
    from shopkpi.data.engines import configured_url, open_engine
    from shopkpi.data.engines.duckdb_engine import DuckDBEngine
    from shopkpi.data.metrics.catalogue import load_catalogue
    from shopkpi.data.metrics.computation import compute_metrics
    from shopkpi.data.metrics.entered_values import entered_values

    wanted = None if names is None else set(names)
    found: dict[str, dict[str, Metric]] = {code: {} for code in employee_codes}
    excluded: dict[str, str] = {}
    catalogue = with_decisions(connection, load_catalogue(home), period)
    metric_names = None if wanted is None else sorted(n for n in wanted if n in catalogue.metrics)
    if metric_names is None or metric_names:
        url = configured_url()  # the engine the company named; DuckDB over this warehouse by default
        engine = DuckDBEngine(connection) if url is None else open_engine(url, home)
        try:
            results = compute_metrics(
                engine,
                period,
                catalogue,
                organisation=take_snapshot(),
                names=metric_names,
                employees=employee_codes,
            )
        finally:
            if url is not None:
                engine.close()
        for code, metrics in results.employees.items():
            for name, metric in metrics.values.items():
                sources = "; ".join(
                    f"{s.source} {s.period}{' (团队)' if s.team else ''}: {s.rows} 行, "
                    f"批次 {', '.join(s.batches) or '—'}"
                    for s in metric.provenance
                )
                batches = tuple(sorted({b for s in metric.provenance for b in s.batches}))
                if name not in excluded:  # the same for everyone
                    excluded[name] = _excluded(catalogue.exclusions(name))
                found.setdefault(code, {})[name] = Metric(
                    metric.value,
                    f"店铺数据 {sources or '(无数据行)'}; 组织快照 {results.organisation[:12]}"
                    + excluded[name],
                    batches,
                )
    codes = set(employee_codes)
    labels = {"targets": "目标", "inputs": "手工录入"}
    for row in entered_values(connection, period):
        if row.employee in codes:
            found[row.employee][row.name] = Metric(
                row.value, f"{labels[row.dataset]} {row.dataset} {period}, 批次 {row.batch}", (row.batch,)
            )
    return {code: values for code, values in found.items() if values}


def _excluded(spans: Sequence[Any]) -> str:
    """`; 除外 大促 2026-11-11（双11）`: the exclusion calendars' entries a value leaves out."""
    if not spans:
        return ""
    parts = []
    for s in spans:
        if s.hours is not None:
            days = f"{s.start}{f'–{s.end}' if s.end else ' 起'} 每日 {s.hours}"
        else:
            days = f"{s.start}{f'–{s.end}' if s.end not in (None, s.start) else ''}"
        parts.append(f"{s.label_zh} {days}（{s.reason}）")
    return "; 除外 " + "、".join(parts)


def imported_ratings(
    home: Path,
    period: str,
    employee_codes: Sequence[str],
    *,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> dict[str, list[ImportedRating]]:
    """The period's imported ratings by employee code, in file order of item; read through `connection`
    (`warehouse_connection`), else through one of its own."""
    if not employee_codes:
        return {}
    if connection is None:
        with warehouse_connection(home) as own:
            return {} if own is None else imported_ratings(home, period, employee_codes, connection=own)
    codes = set(employee_codes)
    found: dict[str, list[ImportedRating]] = {}
    rows = connection.execute(
        "SELECT employee, item, rating, rater, _batch FROM ratings WHERE period = ? ORDER BY employee, item",
        [period],
    ).fetchall()
    for employee, item, rating, rater, batch in rows:
        if str(employee) not in codes or item is None or rating is None:
            continue
        who = "self" if str(rater or "").strip().lower() in SELF_RATERS else "supervisor"
        found.setdefault(str(employee), []).append(
            ImportedRating(str(item).strip(), str(rating).strip(), who, str(batch))
        )
    return found
