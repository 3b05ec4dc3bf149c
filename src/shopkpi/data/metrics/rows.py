"""Every number down to its rows: the source rows behind an employee's metric value.

`RowDrill` gives, for one metric of one period, one record per source row the value read: the
columns the metric reads, where the row came from (batch, file, sheet, row of the file), the rule
that credited it to the employee (the account's owner and the ownership window) and the row's part
in the value, or why it takes none (`row_sql.EXCLUDED`). A derived metric (a ratio) drills into the
base metrics it is computed from, those `prev()` reads in the previous period.

The rows are selected by the same definition, window and attribution as the metric step, with the
aggregation taken apart (`row_sql`), so the parts add up to the value: `value()` rebuilds it from
the rows with the metric step's null rules and rounding, and the tests compare it with
`compute_metrics` for every shipped metric.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb

from shopkpi.data.metrics import attribution as attr
from shopkpi.data.metrics import row_sql
from shopkpi.data.metrics.calendars import Span
from shopkpi.data.metrics.catalogue import MetricCatalogue
from shopkpi.data.metrics.credit_sql import DATASET as CREDITED
from shopkpi.data.metrics.crediting import Crediting
from shopkpi.data.metrics.definitions import QueryMetric
from shopkpi.data.metrics.org_snapshot import OrganisationSnapshot
from shopkpi.data.metrics.row_overrides import CREDIT_PREFIX, RowOverride, by_row
from shopkpi.data.metrics.shifts import KIND
from shopkpi.scorecard.periods import Period

_CONTEXT = decimal.Context(prec=38, rounding=decimal.ROUND_HALF_UP)
OWNER_RULE = "owner"
"""The rule that credits a row to the owner of its account on its day (`attribution`)."""
OVERRIDE_RULE = "override"
"""HR's decision on the row, on an appeal (`row_overrides`): it comes after every other rule."""
SHIFT_RULE = "shift"
"""The rule that credits a row with a time of a shared account to the person on shift then (`shifts`)."""


@dataclass(frozen=True)
class Credit:
    """Why a row counts for an employee: `rule` (`owner`, or `shift`: the person on `shift` of the
    account at the row's time), the owner and the window they owned it (a shift: that day).

    An `order_credits` row also says how its order was credited to its agent: the credit rule
    (`credit_rule`: order, payment, order_first; or the platform's own 订单归属), its window and the
    chat that decided it, or `silent` (静默: no agent). `unsplit`: a row of a shared account that no
    shift takes (a daily total has no hours; a time outside the scheduled shifts) stays with the
    account's owner."""

    rule: str
    employee: str
    kind: str
    account: str
    valid_from: date | None
    valid_to: date | None
    credit_rule: str | None = None
    window_days: int | None = None
    chat_at: datetime | None = None
    silent: bool = False
    shift: str | None = None
    shift_hours: str | None = None
    unsplit: bool = False


@dataclass(frozen=True)
class RowSource:
    """Where a row came from: its import batch, the file and sheet, and its row in that file."""

    batch: str | None
    file: str | None
    sheet: str | None
    row: int | None


@dataclass(frozen=True)
class MetricRow:
    metric: str
    """The base metric the row is read for."""
    period: str
    employee: str
    """Whose value the row is part of (the manager, for a team metric)."""
    dataset: str
    day: date
    values: Mapping[str, Any]
    """The columns the metric reads, by canonical name."""
    source: RowSource
    credited_by: Credit
    counted: Decimal | None
    """The row's part in the value (1 for a counted row); None when it takes none."""
    excluded: str | None
    """Why it takes no part (`row_sql.EXCLUDED`), or None."""
    calendar: Span | None = None
    """The exclusion calendar's entry that leaves the row out (`excluded` is `calendar`)."""
    override: RowOverride | None = None
    """HR's decision on the row (`row_overrides`): it credits the row (`credited_by.rule` is
    `override`) or leaves it out (`excluded` is `override`)."""


@dataclass(frozen=True)
class PartTotal:
    """One source of a base metric for one employee, added up from its rows."""

    rows: int
    counted: int
    total: Decimal | None
    passing: bool


class RowDrill:
    """The rows behind `metric` for `employee` (None: every employee) in `period`.

    `connection` is shaped like `Warehouse.connect()`; `organisation` is registered in it as the
    metric step registers it."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        catalogue: MetricCatalogue,
        metric: str,
        period: Period | str,
        *,
        organisation: OrganisationSnapshot,
        employee: str | None = None,
    ) -> None:
        if metric not in catalogue.metrics:
            raise KeyError(metric)
        self.connection = connection
        self.catalogue = catalogue
        self.metric = metric
        self.period = Period.parse(period) if isinstance(period, str) else period
        self.employee = employee
        organisation.register(connection, self.period.end)
        self.crediting = Crediting(
            catalogue.credit, catalogue.shifts, self.period.previous().start, self.period.end
        )
        current, previous = catalogue.needed([metric])
        wanted = [(n, 0) for n in catalogue.order if n in current]
        wanted += [(n, -1) for n in catalogue.order if n in previous]
        self.bases = tuple((n, o) for n, o in wanted if catalogue.metrics[n].is_base)
        """(base metric, period offset) the value reads, in the catalogue's order."""
        self.selects = tuple(s for name, offset in self.bases for s in self._selects(name, offset))
        self._files = _files(connection)
        self._totals: dict[int, dict[str, PartTotal]] = {}

    def _selects(self, name: str, offset: int) -> Iterator[row_sql.RowSelect]:
        metric = self.catalogue.metrics[name]
        window = self.period if offset == 0 else self.period.previous()
        team = metric.scope == "team"
        if metric.query is not None and isinstance(metric.definition, QueryMetric):
            by = metric.definition.by
            yield row_sql.query_rows(
                name, offset, metric.query, by, window, self.employee, team, self.crediting
            )
        for i, source in enumerate(metric.sources):
            yield row_sql.dataset_rows(name, offset, i, source, window, self.employee, team, self.crediting)

    def period_of(self, offset: int) -> str:
        return (self.period if offset == 0 else self.period.previous()).text

    # ---- the rows ----------------------------------------------------------------------------

    def count(self) -> int:
        """How many rows `rows()` gives (for the employee, or everyone)."""
        return sum(t.rows for i in range(len(self.selects)) for t in self.totals(i).values())

    def rows(self, limit: int | None = None, offset: int = 0) -> Iterator[MetricRow]:
        """The rows, base metric by base metric, each by day, batch and row; `limit`/`offset` page them."""
        for index, select in enumerate(self.selects):
            if limit is not None and limit <= 0:
                return
            size = sum(t.rows for t in self.totals(index).values())
            if offset >= size:
                offset -= size
                continue
            page = "" if limit is None else f" LIMIT {int(limit)}"
            sql = f"SELECT * FROM ({select.sql}) ORDER BY _for, _day, _batch, _row{page} OFFSET {int(offset)}"
            found = self.connection.execute(sql).fetchall()
            offset = 0
            if limit is not None:
                limit -= len(found)
            yield from (self._record(select, row) for row in found)

    def find(self, batch: str, row: int) -> list[MetricRow]:
        """The rows of file row `row` of batch `batch` (one per base metric reading it)."""
        where = f" WHERE _batch = {attr.literal(batch)} AND _row = {int(row)}"
        return [
            self._record(select, found)
            for select in self.selects
            for found in self.connection.execute(f"SELECT * FROM ({select.sql}){where}").fetchall()
        ]

    def _record(self, select: row_sql.RowSelect, row: tuple[Any, ...]) -> MetricRow:
        fixed = len(row_sql.FIXED)
        (for_, owner, kind, account, valid_from, valid_to, batch, number, day, counted, reason, _, span) = (
            row[:fixed]
        )
        file, sheet = self._files.get(batch, (None, None)) if batch is not None else (None, None)
        values = dict(zip(select.columns, row[fixed:], strict=True))
        decided = None
        if select.overrides and batch is not None and number is not None:
            decided = by_row(select.overrides).get((str(batch), int(number)))
        if str(account).startswith(CREDIT_PREFIX) and decided is not None:
            shown = values.get(select.account_column)
            credit = Credit(
                OVERRIDE_RULE, str(owner), str(kind), "" if shown is None else str(shown), None, None
            )
        else:
            credit = self._credit(
                select.dataset,
                values,
                Credit(
                    OWNER_RULE,
                    str(owner),
                    str(kind),
                    str(account),
                    None if valid_from == attr.FIRST_DAY else valid_from,
                    None if valid_to == attr.LAST_DAY else valid_to,
                ),
            )
        return MetricRow(
            metric=select.metric,
            period=self.period_of(select.offset),
            employee=str(for_),
            dataset=select.dataset,
            day=day,
            values=values,
            source=RowSource(batch, file, sheet, None if number is None else int(number)),
            credited_by=credit,
            counted=None
            if counted is None
            else Decimal(counted)
            if type(counted) is not Decimal
            else counted,
            excluded=None if reason is None else row_sql.EXCLUDED[int(reason)],
            calendar=None if span is None else select.excluded[int(span)],
            override=decided,
        )

    def _credit(self, dataset: str, values: Mapping[str, Any], owner: Credit) -> Credit:
        """`owner` with the shift and the credit rule that gave the row to its person and agent."""
        credit = owner
        shift = self.crediting.shifts.shifts.get(owner.account)
        if shift is not None:
            credit = replace(
                credit, rule=SHIFT_RULE, account=shift.account, shift=shift.name, shift_hours=shift.hours
            )
        elif owner.kind == KIND and owner.account in self.crediting.shifts.accounts:
            credit = replace(credit, unsplit=True)
        if dataset == CREDITED:
            days = values.get("window_days")
            credit = replace(
                credit,
                credit_rule=values.get("rule"),
                window_days=None if days is None else int(days),
                chat_at=values.get("chat_at"),
                silent=values.get("agent") is None,
            )
        return credit

    # ---- the value rebuilt from the rows -----------------------------------------------------

    def totals(self, index: int) -> dict[str, PartTotal]:
        """Select `index`'s rows added up per employee."""
        if index not in self._totals:
            sql = (
                f"SELECT _for, count(*), count(_counted), sum(_counted), bool_or(_passes) "
                f"FROM ({self.selects[index].sql}) GROUP BY 1"
            )
            self._totals[index] = {
                str(e): PartTotal(int(n), int(c), None if s is None else Decimal(s), bool(p))
                for e, n, c, s, p in self.connection.execute(sql).fetchall()
            }
        return self._totals[index]

    def additive(self) -> bool:
        """Whether every row has its part, so that the parts add up to the value."""
        return all(s.aggregate.part != "other" for s in self.selects)

    def value(self, employee: str | None = None) -> Decimal | None:
        """The metric's value for `employee` (default: the drill's) computed from its rows' parts."""
        return self._derived(self.metric, 0, self._base_values(employee))

    def value_of(self, base: str, offset: int = 0, employee: str | None = None) -> Decimal | None:
        """What the rows of one of `bases` add up to."""
        return self._base_values(employee)[(base, offset)]

    def _base_values(self, employee: str | None) -> dict[tuple[str, int], Decimal | None]:
        who = employee if employee is not None else self.employee
        if who is None:
            raise ValueError("value() needs an employee")
        found: dict[tuple[str, int], Decimal | None] = {}
        for name, offset in self.bases:
            parts = [
                _source_value(s, self.totals(i).get(who))
                for i, s in enumerate(self.selects)
                if (s.metric, s.offset) == (name, offset)
            ]
            present = [p for p in parts if p is not None]
            found[(name, offset)] = self._rounded(name, sum(present, Decimal(0)) if present else None)
        return found

    def _derived(
        self, name: str, offset: int, found: dict[tuple[str, int], Decimal | None]
    ) -> Decimal | None:
        if (name, offset) in found:
            return found[(name, offset)]
        derived = self.catalogue.metrics[name].derived
        assert derived is not None
        value = derived.evaluate(lambda other, prev: self._derived(other, -1 if prev else offset, found))
        found[(name, offset)] = self._rounded(name, value)
        return found[(name, offset)]

    def _rounded(self, name: str, value: Decimal | None) -> Decimal | None:
        decimals = self.catalogue.metrics[name].decimals
        if value is None or decimals is None:
            return value
        return value.quantize(Decimal(1).scaleb(-decimals), rounding=decimal.ROUND_HALF_UP, context=_CONTEXT)


def _source_value(select: row_sql.RowSelect, total: PartTotal | None) -> Decimal | None:
    """One source's value from its rows, with the metric step's null rules: no rows, or none passing
    the source's filter, is null; a count of no counted row is 0, a sum of none is null."""
    if total is None or total.rows == 0 or (select.has_filter and not total.passing):
        return None
    aggregate = select.aggregate
    if aggregate.part in ("count", "distinct"):
        return total.total if total.total is not None else Decimal(0)
    if total.total is None and aggregate.zero_if_null:
        return Decimal(0)
    return total.total


def _files(connection: duckdb.DuckDBPyConnection) -> dict[str, tuple[str | None, str | None]]:
    """Batch id → (file name, sheet), from the connection's `batches` when it has one."""
    columns = {
        str(name)
        for (name,) in connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'batches'"
        ).fetchall()
    }
    if "file_name" not in columns:
        return {}
    sheet = "sheet" if "sheet" in columns else "CAST(NULL AS VARCHAR)"
    found = connection.execute(f"SELECT id, file_name, {sheet} FROM batches").fetchall()
    return {str(i): (f, s) for i, f, s in found}


ENTERED_RULE = "entered"
"""A target or input names its employee itself (the 工号 column): no attribution."""


def entered_rows(
    connection: duckdb.DuckDBPyConnection, period: Period, employee: str, name: str
) -> list[MetricRow]:
    """The `targets` and `inputs` rows of `employee` named `name` in `period`: a value entered for a
    person, which the month takes instead of a metric of the same name (an input over a target). The
    last one counts; an earlier one is `replaced`."""
    from shopkpi.data.metrics.entered_values import ENTERED_DATASETS

    files = _files(connection)
    found: list[MetricRow] = []
    for dataset in ENTERED_DATASETS:
        rows = connection.execute(
            f"SELECT value, _batch, _row FROM {dataset} WHERE period = ? AND employee = ? AND name = ? ORDER BY _row",
            [period.text, employee, name],
        ).fetchall()
        for value, batch, number in rows:
            file, sheet = files.get(str(batch), (None, None))
            found.append(
                MetricRow(
                    metric=name,
                    period=period.text,
                    employee=employee,
                    dataset=dataset,
                    day=period.start,
                    values={"employee": employee, "period": period.text, "name": name, "value": value},
                    source=RowSource(str(batch), file, sheet, None if number is None else int(number)),
                    credited_by=Credit(ENTERED_RULE, employee, "employee", employee, None, None),
                    counted=None,
                    excluded="replaced",
                )
            )
    if found:
        last = found[-1]
        value = last.values["value"]
        found[-1] = replace(last, counted=None if value is None else Decimal(value), excluded=None)
    return found
