"""`compute_metrics`: every employee's metric values for a period, with where each value came from.

One compiled statement (`metric_compiler`) returns the base metrics' sums per employee; here the
sources of a base metric are added (null only when every source is null), derived metrics are
evaluated with exact decimals in dependency order (`prev()` reading the previous period's
values), values are rounded half-up to their metric's `decimals`, and each value carries its
provenance: the dataset (or query), period, batches and row count of every block it read. Who owns
which account (attribution) comes from the `OrganisationSnapshot` the caller hands in; the results
name it (`organisation`: its digest).
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb

from shopkpi.data.engines.base import EngineError, MetricEngine
from shopkpi.data.engines.dialect_sql import engine_sql, value_types
from shopkpi.data.engines.duckdb_engine import DuckDBEngine
from shopkpi.data.metrics.attribution import RangeCrossing, UnownedRows
from shopkpi.data.metrics.catalogue import MetricCatalogue
from shopkpi.data.metrics.compiler import Block, CompiledPeriod, compile_period
from shopkpi.data.metrics.derived_expressions import Evaluator
from shopkpi.data.metrics.org_snapshot import OrganisationSnapshot
from shopkpi.scorecard.collector import collector_paused
from shopkpi.scorecard.periods import Period

_CONTEXT = decimal.Context(prec=38, rounding=decimal.ROUND_HALF_UP)
_HALF_UP = decimal.ROUND_HALF_UP
_VALUE_COLUMN = re.compile(r"[bt]\d+_v\d+")
"""A block's value column in the result (`b3_v0`, `t3_v1`); the others are rows, batches, accounts."""


@dataclass(frozen=True, order=True)
class SourceRows:
    """Rows a value was computed from: one dataset (or query) in one period, for one employee or team."""

    source: str
    period: str
    rows: int
    batches: tuple[str, ...]
    team: bool = False


@dataclass(frozen=True, slots=True)
class MetricValue:
    value: Decimal | None
    provenance: tuple[SourceRows, ...] = ()


_ABSENT = MetricValue(None)
"""A value absent with no rows read (most values of most people: a designer has no shop's visitors)."""


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
    organisation: str = ""
    """The digest of the organisation snapshot attribution read (`OrganisationSnapshot.digest`)."""


def compute_metrics(
    connection: duckdb.DuckDBPyConnection | MetricEngine,
    period: Period | str,
    catalogue: MetricCatalogue,
    *,
    organisation: OrganisationSnapshot,
    names: Sequence[str] | None = None,
    employees: Iterable[str] | None = None,
    read_rollups: bool = True,
) -> MetricResults:
    """The metrics `names` (default: every public one) for every employee in `period`.

    `connection` is the engine that runs the statement (`engines`), or a DuckDB connection showing each
    dataset as a view of its name (`Warehouse.connect()`); `organisation` is put there as `employees`
    (the terms on the period's last day), `accounts` and `_reports`. The employees
    reported are those employed during the period (hired_on/left_on) and anyone with values;
    `employees` narrows that to the given ids. The statement reads the roll-ups the
    connection has (`Warehouse.connect()` has each one) unless `read_rollups` is false; the values
    are the same either way.
    """
    period = Period.parse(period) if isinstance(period, str) else period
    if isinstance(connection, duckdb.DuckDBPyConnection):
        organisation.register(connection, period.end)
        engine: MetricEngine = DuckDBEngine(connection)
    else:
        engine = connection
        for name, table in organisation.tables(period.end).items():
            engine.put(name, table)
    reported = tuple(names) if names is not None else catalogue.public
    available = engine.rollups() if read_rollups else frozenset()
    compiled = compile_period(catalogue, reported, period, rollups_read=available)
    types = None
    if engine.dialect != "duckdb":  # each value as DuckDB types it, so that every engine prints it alike
        types = value_types(compiled.sql, [c for c in compiled.columns if _VALUE_COLUMN.match(c)])
    sql = engine_sql(compiled.sql, engine.dialect, engine.tables, types)
    # many rows and values, no reference cycles: the collector would walk them again and again
    with collector_paused():
        try:
            rows = engine.rows(sql)
        except EngineError as error:  # a type only known at run time (arg_max over a text column …)
            raise MetricValueError(f"metrics for {period} could not be computed: {error}") from error
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
        ids = set(by_employee) | {row.employee for row in organisation.employed(period.start, period.end)}
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
        sql=sql,
        organisation=organisation.digest,
    )


@dataclass(frozen=True)
class _Step:
    """One metric for one period offset, with everything looked up once for all employees."""

    name: str
    offset: int
    slots: tuple[int, ...]
    """Base metric: the result columns of its sources."""
    derived: Evaluator | None
    quantum: Decimal | None
    """Rounding: 10^-decimals, or None to keep the value exact."""
    sources: tuple[tuple[int, bool], ...]
    """Provenance: the (block, team) keys the value reads, itself or through other metrics."""


class _Evaluator:
    def __init__(
        self,
        catalogue: MetricCatalogue,
        compiled: CompiledPeriod,
        index: Mapping[str, int],
        reported: Sequence[str],
    ) -> None:
        self.compiled = compiled
        self.index = index
        self.reported = reported
        self.periods = {0: compiled.period.text, -1: compiled.period.previous().text}
        current, previous = catalogue.needed(reported)
        order = [(-1, n) for n in catalogue.order if n in previous] + [
            (0, n) for n in catalogue.order if n in current
        ]
        keys: dict[tuple[str, int], tuple[tuple[int, bool], ...]] = {}
        self.steps: list[_Step] = []
        for offset, name in order:
            metric = catalogue.metrics[name]
            quantum = None if metric.decimals is None else Decimal(1).scaleb(-metric.decimals)
            if metric.derived is None:
                columns = compiled.sources[(name, offset)]
                keys[(name, offset)] = tuple(dict.fromkeys((c.block, c.team) for c in columns))
                slots = tuple(index[c.column] for c in columns)
                self.steps.append(_Step(name, offset, slots, None, quantum, keys[(name, offset)]))
                continue
            used = [(r, offset) for r in sorted(metric.derived.current)]
            used += [(r, -1) for r in sorted(metric.derived.previous)]
            keys[(name, offset)] = tuple(dict.fromkeys(k for u in used for k in keys[u]))
            self.steps.append(_Step(name, offset, (), metric.derived.evaluate, quantum, keys[(name, offset)]))
        self.plan = [
            (s.name, s.offset == 0, s.slots[0] if len(s.slots) == 1 else None, s.slots, s.derived, s.quantum)
            for s in self.steps
        ]
        """The steps as plain tuples for `employee`'s loop: name, of the period itself, the one result
        column of a base metric of one source (else None), its columns, derived, quantum."""
        self.reported_sources = [(name, keys[(name, 0)]) for name in reported]
        """Each reported metric with the (block, team) keys its provenance reads."""
        self.block_columns = [
            (block, team, index[prefix + "rows"], index[prefix + "batches"])
            for block in compiled.blocks
            for team, prefix in ((False, block.employee_prefix), (True, block.team_prefix))
            if prefix + "rows" in index
        ]

    def employee(self, employee: str, rows: Mapping[int, tuple[Any, ...]]) -> EmployeeMetrics:
        current: dict[str, Decimal | None] = {}
        previous: dict[str, Decimal | None] = {}

        def in_current(name: str, prev: bool) -> Decimal | None:
            return previous[name] if prev else current[name]

        def in_previous(name: str, prev: bool) -> Decimal | None:
            return previous[name]

        now, before = rows.get(0), rows.get(-1)
        # a hot loop (every metric of every employee): plain, local code
        for name, this_period, slot, slots, derived, quantum in self.plan:
            value: Decimal | None
            if derived is not None:
                value = derived(in_current if this_period else in_previous)
            else:
                row = now if this_period else before
                if row is None:
                    value = None
                elif slot is not None:
                    value = row[slot]
                    if value is not None and type(value) is not Decimal:
                        value = _number(name, value)
                else:
                    value = _added(name, [row[i] for i in slots])
            if value is not None and quantum is not None:
                value = value.quantize(quantum, _HALF_UP, _CONTEXT)
            (current if this_period else previous)[name] = value
        found = self._source_rows(rows)
        shared: dict[tuple[tuple[int, bool], ...], tuple[SourceRows, ...]] = {}
        reported: dict[str, MetricValue] = {}
        for name, keys in self.reported_sources:
            if keys not in shared:
                shared[keys] = tuple(found[k] for k in keys if k in found)
            value, provenance = current[name], shared[keys]
            # most values of most people are absent with nothing read: one shared (immutable) record
            reported[name] = MetricValue(value, provenance) if value is not None or provenance else _ABSENT
        return EmployeeMetrics(employee=employee, period=self.periods[0], values=reported)

    def _source_rows(self, rows: Mapping[int, tuple[Any, ...]]) -> dict[tuple[int, bool], SourceRows]:
        found: dict[tuple[int, bool], SourceRows] = {}
        for block, team, count_at, batches_at in self.block_columns:
            row = rows.get(block.offset)
            if row is None or row[count_at] is None:
                continue
            batches = tuple(sorted(row[batches_at] or ()))
            found[(block.index, team)] = SourceRows(
                block.source, self.periods[block.offset], int(row[count_at]), batches, team
            )
        return found


def _added(name: str, raws: list[Any]) -> Decimal | None:
    """The sources' values added; null only when every source is null."""
    total: Decimal | None = None
    for raw in raws:
        if raw is not None:
            number = _number(name, raw)
            total = number if total is None else _CONTEXT.add(total, number)
    return total


class MetricValueError(ValueError):
    """A metric whose SQL gives something other than a number (a text, a timestamp …) when it runs."""


def _number(name: str, raw: object) -> Decimal:
    if type(raw) is Decimal:
        return raw
    if type(raw) is int:
        return Decimal(raw)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return Decimal(str(raw))
    raise MetricValueError(f"metric {name}: {raw!r} is not a number; its expression must give a number")


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
        if not block.ranged:
            continue
        count = row[index[block.employee_prefix + "crossing_rows"]]
        if count:
            accounts = row[index[block.employee_prefix + "crossing_accounts"]] or ()
            yield RangeCrossing(
                block.source, block.kind, employee, int(count), tuple(sorted({str(a) for a in accounts}))
            )
