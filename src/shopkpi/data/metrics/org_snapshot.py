"""The organisation as the metric step sees it: a snapshot handed in by the application.

The organisation (employees with their effective-dated terms, who owns which account when) lives in
the application database; the data layer never reads it there (it knows nothing of Django). Each
computation gets an `OrganisationSnapshot` of plain rows, registers it in its DuckDB connection as the
`employees` and `accounts` tables attribution reads (`register`), and names it in its results
(`digest`: the same organisation gives the same digest, a changed one another).

`employees` holds one row per employee: their terms (department, position, supervisor, base salary)
in effect on the day the computation gives (a period's last day: a supervisor changed on the 16th
leads the team from that month), or their first terms when those begin later. `accounts` holds every
ownership window, both days included, open-ended when empty.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

import duckdb

from shopkpi.data.datasets import DATASETS
from shopkpi.data.metrics.attribution import REPORTS, quoted

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]


@dataclass(frozen=True)
class TermsRow:
    """An employee's terms from `valid_from` to `valid_to` (both included; None: unbounded)."""

    employee: str
    name: str
    department: str
    position: str
    supervisor: str | None = None
    base_salary: Decimal | None = None
    hired_on: dt.date | None = None
    left_on: dt.date | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True)
class OwnershipRow:
    employee: str
    kind: str
    account: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class OrganisationSnapshot:
    terms: tuple[TermsRow, ...]
    accounts: tuple[OwnershipRow, ...]
    taken_at: str = field(default="", compare=False)
    """When the application took it (ISO time), for the provenance."""

    @classmethod
    def of(
        cls,
        employees: Iterable[Mapping[str, Any]],
        accounts: Iterable[Mapping[str, Any]] = (),
        taken_at: str = "",
    ) -> OrganisationSnapshot:
        """A snapshot from plain rows (`employees` rows with the columns of `TermsRow`, `accounts` rows with
        employee, kind, account, valid_from, valid_to; absent columns are empty)."""
        names = {f.name for f in fields(TermsRow)}
        terms = tuple(
            TermsRow(**{k: _value(k, v) for k, v in row.items() if k in names}) for row in employees
        )
        owned = tuple(
            OwnershipRow(
                str(row["employee"]),
                str(row["kind"]),
                str(row["account"]),
                _value("valid_from", row.get("valid_from")),
                _value("valid_to", row.get("valid_to")),
            )
            for row in accounts
        )
        return cls(terms, owned, taken_at)

    @cached_property
    def digest(self) -> str:
        """sha256 of the snapshot's rows: equal for the same organisation."""
        text = json.dumps(
            [[_plain(t) for t in self.terms], [_plain(a) for a in self.accounts]], default=str, sort_keys=True
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def employees_on(self, day: dt.date) -> list[TermsRow]:
        """Each employee's terms in effect on `day` (their first terms when all begin later), by id."""
        chosen: dict[str, TermsRow] = {}
        for row in sorted(self.terms, key=lambda r: (r.employee, r.valid_from or dt.date.min)):
            if row.employee not in chosen or row.valid_from is None or row.valid_from <= day:
                chosen[row.employee] = row
        return [chosen[e] for e in sorted(chosen)]

    def employed(self, first: dt.date, last: dt.date) -> list[TermsRow]:
        """Who was employed on some day from `first` to `last` (hired by `last`, not gone before `first`)."""
        return [
            row
            for row in self.employees_on(last)
            if (row.hired_on is None or row.hired_on <= last)
            and (row.left_on is None or row.left_on >= first)
        ]

    def reporting_lines(self, day: dt.date) -> list[tuple[str, str]]:
        """Every (manager, member) pair of the supervisors on `day`: members report to the manager
        directly or not; a manager is never their own member (a cycle ends the walk), by manager then member."""
        reports: dict[str, list[str]] = {}
        for row in self.employees_on(day):
            if row.supervisor is not None and row.supervisor != row.employee:
                reports.setdefault(row.supervisor, []).append(row.employee)
        pairs: list[tuple[str, str]] = []
        for manager in sorted(reports):
            seen: set[str] = set()
            waiting = list(reports[manager])
            while waiting:
                member = waiting.pop()
                if member == manager or member in seen:
                    continue
                seen.add(member)
                waiting.extend(reports.get(member, ()))
            pairs.extend((manager, member) for member in sorted(seen))
        return pairs

    def tables(self, day: dt.date) -> dict[str, pa.Table]:
        """The tables attribution reads: `employees` (terms in effect on `day`), `accounts` and
        `_reports` (`reporting_lines`), as Arrow (for an engine's session)."""
        builder = duckdb.connect(":memory:")
        try:
            return {
                name: builder.sql(select, params=values).to_arrow_table()
                for name, select, values in self._selects(day)
            }
        finally:
            builder.close()

    def register(self, connection: duckdb.DuckDBPyConnection, day: dt.date) -> None:
        """`tables` as temporary tables of a DuckDB connection, made there from the rows at once."""
        for name, select, values in self._selects(day):
            connection.execute(f"CREATE OR REPLACE TEMP TABLE {quoted(name)} AS {select}", values)

    def _selects(self, day: dt.date) -> Iterator[tuple[str, str, list[list[Any]]]]:
        """Each table of `tables` as a DuckDB SELECT of its list parameters: (name, SELECT, parameters).
        Not Arrow from Python values: pyarrow's conversion (`pa.array`) imports pandas, which costs a
        fresh process more than the whole organisation."""
        yield _select("employees", [_employee_row(r) for r in self.employees_on(day)])
        yield _select("accounts", [_plain(a) for a in self.accounts])
        lines = self.reporting_lines(day)
        yield (
            REPORTS,
            "SELECT unnest($1::VARCHAR[]) AS _manager, unnest($2::VARCHAR[]) AS _member",
            [[m for m, _ in lines], [e for _, e in lines]],
        )


def _employee_row(row: TermsRow) -> dict[str, Any]:
    return {k: getattr(row, k) for k in _TERMS_COLUMNS if k not in ("valid_from", "valid_to")}


_TERMS_COLUMNS = tuple(f.name for f in fields(TermsRow))
_OWNERSHIP_COLUMNS = tuple(f.name for f in fields(OwnershipRow))


def _plain(row: TermsRow | OwnershipRow) -> dict[str, Any]:
    """The row's fields by name (`dataclasses.asdict` without its deep copy: every value is a str, a
    Decimal, a date or None, none of which changes)."""
    names = _TERMS_COLUMNS if type(row) is TermsRow else _OWNERSHIP_COLUMNS
    return {name: getattr(row, name) for name in names}


def _select(name: str, rows: list[dict[str, Any]]) -> tuple[str, str, list[list[Any]]]:
    """A dataset's rows (its columns and an empty `_batch`) as a SELECT of one list parameter per
    column, typed as the dataset types them (a decimal passed as its text: its digits kept exactly)."""
    columns = DATASETS[name].columns
    selected = ", ".join(
        f"unnest(${i + 1}::{c.duckdb_type}[]) AS {quoted(c.name)}" for i, c in enumerate(columns)
    )
    values = [[_parameter(row.get(c.name), c.duckdb_type) for row in rows] for c in columns]
    return name, f"SELECT {selected}, CAST(NULL AS VARCHAR) AS _batch", values


def _parameter(value: Any, duckdb_type: str) -> Any:
    if value is not None and duckdb_type.startswith("DECIMAL"):
        return str(value)
    return value


def _value(name: str, value: Any) -> Any:
    """Text from a test's or a file's row as the typed value of its column."""
    if value is None or value == "":
        return None
    if name in ("valid_from", "valid_to", "hired_on", "left_on") and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if name == "base_salary" and not isinstance(value, Decimal):
        return Decimal(str(value))
    return value
