"""`compute_metrics`: every employee's metric values for a period, with where each value came from.

One compiled statement (`metric_compiler`) returns the base metrics' sums per employee; here the
sources of a base metric are added (null only when every source is null), derived metrics are
evaluated with exact decimals in dependency order (`prev()` reading the previous period's
values), values are rounded half-up to their metric's `decimals`, and each value carries its
provenance: the dataset (or query), period, batches and row count of every block it read.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb

from shopkpi.data.attribution import RangeCrossing, UnownedRows
from shopkpi.data.metric_catalogue import MetricCatalogue
from shopkpi.data.metric_compiler import Block, CompiledPeriod, compile_period
from shopkpi.data.periods import Period

_CONTEXT = decimal.Context(prec=38, rounding=decimal.ROUND_HALF_UP)


@dataclass(frozen=True, order=True)
class SourceRows:
    """Rows a value was computed from: one dataset (or query) in one period, for one employee or team."""

    source: str
    period: str
    rows: int
    batches: tuple[str, ...]
    team: bool = False


@dataclass(frozen=True)
class MetricValue:
    value: Decimal | None
    provenance: tuple[SourceRows, ...] = ()


@dataclass(frozen=True)
class EmployeeMetrics:
    employee: str
    period: str
    values: Mapping[str, MetricValue]

    def value(self, name: str) -> Decimal | None:
        return self.values[name].value

    def plain(self) -> dict[str, Decimal | None]:
        return {name: metric.value for name, metric in self.values.items()}


@dataclass(frozen=True)
class MetricResults:
    period: Period
    metrics: tuple[str, ...]
    employees: Mapping[str, EmployeeMetrics]
    """Employee id → values, ordered by id."""
    unowned: tuple[UnownedRows, ...]
    range_crossings: tuple[RangeCrossing, ...]
    sql: str = field(repr=False)


def compute_metrics(
    connection: duckdb.DuckDBPyConnection,
    period: Period | str,
    catalogue: MetricCatalogue,
    *,
    names: Sequence[str] | None = None,
    employees: Iterable[str] | None = None,
) -> MetricResults:
    """The metrics `names` (default: every public one) for every employee in `period`.

    `connection` shows each dataset as a view of its name (`Warehouse.connect()`). The employees
    reported are those employed during the period (`employees.hired_on`/`left_on`) and anyone with
    values; `employees` narrows that to the given ids.
    """
    period = Period.parse(period) if isinstance(period, str) else period
    reported = tuple(names) if names is not None else catalogue.public
    compiled = compile_period(catalogue, reported, period)
    try:
        rows = connection.execute(compiled.sql).fetchall()
    except duckdb.Error as error:  # a type only known at run time (arg_max over a text column …)
        first = str(error).splitlines()[0]
        raise MetricValueError(f"metrics for {period} could not be computed: {first}") from error
    index = {name: i for i, name in enumerate(["_employee", "_offset", *compiled.columns])}
    by_employee: dict[str, dict[int, tuple[Any, ...]]] = {}
    unowned: list[UnownedRows] = []
    crossings: list[RangeCrossing] = []
    for row in rows:
        employee, offset = row[0], row[1]
        if employee is None:
            if offset == 0:
                unowned.extend(_unowned(compiled.blocks, row, index))
            continue
        by_employee.setdefault(str(employee), {})[offset] = row
        if offset == 0:
            crossings.extend(_crossings(compiled.blocks, str(employee), row, index))
    wanted = set(employees) if employees is not None else None
    ids = set(by_employee) | set(_active_employees(connection, period))
    if wanted is not None:
        ids &= wanted
    evaluator = _Evaluator(catalogue, compiled, index, reported)
    results = {e: evaluator.employee(e, by_employee.get(e, {})) for e in sorted(ids)}
    return MetricResults(
        period=period,
        metrics=reported,
        employees=results,
        unowned=tuple(sorted(set(unowned), key=lambda u: (u.dataset, u.kind))),
        range_crossings=tuple(sorted(set(crossings), key=lambda c: (c.dataset, c.kind, c.employee))),
        sql=compiled.sql,
    )


def _active_employees(connection: duckdb.DuckDBPyConnection, period: Period) -> list[str]:
    rows = connection.execute(
        "SELECT employee FROM employees WHERE (hired_on IS NULL OR hired_on <= ?) AND (left_on IS NULL OR left_on >= ?)",
        [period.end, period.start],
    ).fetchall()
    return [str(r[0]) for r in rows]


class _Evaluator:
    def __init__(
        self,
        catalogue: MetricCatalogue,
        compiled: CompiledPeriod,
        index: Mapping[str, int],
        reported: Sequence[str],
    ) -> None:
        self.catalogue = catalogue
        self.compiled = compiled
        self.index = index
        self.reported = reported
        current, previous = catalogue.needed(reported)
        self.plan = [(-1, n) for n in catalogue.order if n in previous] + [
            (0, n) for n in catalogue.order if n in current
        ]
        self.periods = {0: compiled.period.text, -1: compiled.period.previous().text}

    def employee(self, employee: str, rows: Mapping[int, tuple[Any, ...]]) -> EmployeeMetrics:
        values: dict[tuple[str, int], MetricValue] = {}
        provenance_cache: dict[tuple[int, bool], SourceRows | None] = {}
        for offset, name in self.plan:
            metric = self.catalogue.metrics[name]
            if metric.derived is None:
                values[(name, offset)] = self._base(name, offset, rows.get(offset), provenance_cache)
                continue

            def lookup(reference: str, previous: bool, offset: int = offset) -> Decimal | None:
                return values[(reference, -1 if previous else offset)].value

            value = metric.derived.evaluate(lookup)
            used = [(r, offset) for r in metric.derived.current] + [(r, -1) for r in metric.derived.previous]
            provenance = tuple(sorted({s for key in used for s in values[key].provenance}))
            values[(name, offset)] = MetricValue(_rounded(value, metric.decimals), provenance)
        reported = {name: values[(name, 0)] for name in self.reported}
        return EmployeeMetrics(employee=employee, period=self.periods[0], values=reported)

    def _base(
        self,
        name: str,
        offset: int,
        row: tuple[Any, ...] | None,
        cache: dict[tuple[int, bool], SourceRows | None],
    ) -> MetricValue:
        if row is None:
            return MetricValue(None)
        total: Decimal | None = None
        provenance: list[SourceRows] = []
        for source in self.compiled.sources[(name, offset)]:
            raw = row[self.index[source.column]]
            if raw is not None:
                number = _number(name, raw)
                total = number if total is None else _CONTEXT.add(total, number)
            key = (source.block, source.team)
            if key not in cache:
                cache[key] = self._rows(self.compiled.blocks[source.block], source.team, row)
            if cache[key] is not None:
                provenance.append(cache[key])  # type: ignore[arg-type]
        return MetricValue(_rounded(total, self.catalogue.metrics[name].decimals), tuple(provenance))

    def _rows(self, block: Block, team: bool, row: tuple[Any, ...]) -> SourceRows | None:
        prefix = block.team_prefix if team else block.employee_prefix
        count = row[self.index[prefix + "rows"]]
        if count is None:
            return None
        batches = tuple(sorted(row[self.index[prefix + "batches"]] or ()))
        return SourceRows(block.source, self.periods[block.offset], int(count), batches, team)


class MetricValueError(ValueError):
    """A metric whose SQL gives something other than a number (a text, a timestamp …) when it runs."""


def _number(name: str, raw: object) -> Decimal:
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return Decimal(str(raw))
    raise MetricValueError(f"metric {name}: {raw!r} is not a number; its expression must give a number")


def _rounded(value: Decimal | None, decimals: int | None) -> Decimal | None:
    if value is None or decimals is None:
        return value
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=decimal.ROUND_HALF_UP, context=_CONTEXT)


def _unowned(
    blocks: Sequence[Block], row: tuple[Any, ...], index: Mapping[str, int]
) -> Iterable[UnownedRows]:
    for block in blocks:
        count = row[index[block.employee_prefix + "rows"]]
        if count:
            accounts = tuple(
                sorted({str(a) for a in row[index[block.employee_prefix + "accounts"]] if a is not None})
            )
            yield UnownedRows(block.source, block.kind, int(count), accounts)


def _crossings(
    blocks: Sequence[Block], employee: str, row: tuple[Any, ...], index: Mapping[str, int]
) -> Iterable[RangeCrossing]:
    for block in blocks:
        count = row[index[block.employee_prefix + "crossing_rows"]]
        if count:
            accounts = row[index[block.employee_prefix + "crossing_accounts"]] or ()
            yield RangeCrossing(
                block.source, block.kind, employee, int(count), tuple(sorted({str(a) for a in accounts}))
            )
