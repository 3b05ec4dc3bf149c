"""VALUES.csv and HISTORY.csv of `shopkpi score`: read, checked cell by cell, every problem reported."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from shopkpi.scorecard import EmployeeInput, PeriodError, PeriodResult, RatingError, Template, rating_value
from shopkpi.scorecard.numbers import NumberError, parse_number
from shopkpi.scorecard.periods import EXAMPLES, Period


@dataclass(frozen=True)
class CsvProblem:
    file: str
    row: int | None  # 1-based line of the file; the header is row 1
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}"


class CsvError(ValueError):
    def __init__(self, problems: list[CsvProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def _rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, cells) of a UTF-8 CSV (a BOM is accepted)."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CsvError([CsvProblem(name, None, None, f"cannot be read: {exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        raise CsvError(
            [
                CsvProblem(
                    name, line, None, f"byte {column} of the line is not UTF-8; save the file as UTF-8 CSV"
                )
            ]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    try:
        header = next(reader, None)
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise CsvError([CsvProblem(name, reader.line_num, None, f"is not valid CSV: {exc}")]) from None
    if not header:
        raise CsvError([CsvProblem(name, 1, None, "is empty; the first row must be the header")])
    return [cell.strip() for cell in header], rows


def read_values(path: Path, template: Template, period: str) -> list[EmployeeInput]:
    name = str(path)
    header, rows = _rows(path)
    problems: list[CsvProblem] = []
    if "employee" not in header:
        problems.append(CsvProblem(name, 1, None, "has no 'employee' column"))
    rated = {item.key: item for item in template.items if item.is_rated}
    for column in header:
        prefix, _, key = column.partition(".")
        if prefix in ("rating", "self") and key and key not in rated:
            problems.append(CsvProblem(name, 1, column, f"{template.id} has no rated item {key!r}"))
    seen_columns = set()
    for column in header:
        if column in seen_columns:
            problems.append(CsvProblem(name, 1, column, "the column appears twice"))
        seen_columns.add(column)
    if problems:
        raise CsvError(problems)
    employees: list[EmployeeInput] = []
    seen: dict[str, int] = {}
    for line, cells in rows:
        if len(cells) != len(header):
            problems.append(
                CsvProblem(name, line, None, f"has {len(cells)} cells; the header has {len(header)}")
            )
            continue
        values: dict[str, object] = {}
        ratings: dict[str, Decimal] = {}
        self_ratings: dict[str, Decimal] = {}
        employee = ""
        for column, cell in zip(header, cells, strict=True):
            text = cell.strip()
            if column == "employee":
                employee = text
                continue
            if not text:
                continue  # an empty cell is an absent value
            prefix, _, key = column.partition(".")
            try:
                if prefix == "rating" and key in rated:
                    ratings[key] = rating_value(rated[key], text)
                elif prefix == "self" and key in rated:
                    self_ratings[key] = rating_value(rated[key], text)
                else:
                    values[column] = parse_number(text)
            except (NumberError, RatingError) as exc:
                problems.append(CsvProblem(name, line, column, str(exc)))
        if not employee:
            problems.append(CsvProblem(name, line, "employee", "the employee is empty"))
        elif employee in seen:
            problems.append(
                CsvProblem(name, line, "employee", f"{employee!r} already appears on row {seen[employee]}")
            )
        else:
            seen[employee] = line
        employees.append(EmployeeInput(employee, period, values, ratings, self_ratings))
    if problems:
        raise CsvError(problems)
    return employees


def read_history(path: Path, template: Template) -> dict[str, list[PeriodResult]]:
    name = str(path)
    header, rows = _rows(path)
    missing = [column for column in ("employee", "period", "score") if column not in header]
    if missing:
        raise CsvError([CsvProblem(name, 1, None, f"has no {', '.join(map(repr, missing))} column")])
    problems: list[CsvProblem] = []
    history: dict[str, list[PeriodResult]] = {}
    kinds = {template.period} | {aggregate.over for aggregate in template.aggregates}
    for line, cells in rows:
        if len(cells) != len(header):
            problems.append(
                CsvProblem(name, line, None, f"has {len(cells)} cells; the header has {len(header)}")
            )
            continue
        row = {column: cell.strip() for column, cell in zip(header, cells, strict=True)}
        try:
            period = Period.parse(row["period"])
        except PeriodError as exc:
            problems.append(CsvProblem(name, line, "period", str(exc)))
            continue
        if period.kind not in kinds:
            written = " or ".join(EXAMPLES[kind] for kind in sorted(kinds))
            problems.append(
                CsvProblem(name, line, "period", f"{period.text!r}: this template reads {written}")
            )
            continue
        numbers: dict[str, Decimal | None] = {}
        for column in ("score", "pay"):
            try:
                numbers[column] = parse_number(row[column]) if row.get(column) else None
            except NumberError as exc:
                problems.append(CsvProblem(name, line, column, str(exc)))
        value, pay = numbers.get("score"), numbers.get("pay")
        if value is None:
            if "score" in numbers:
                problems.append(CsvProblem(name, line, "score", "is empty"))
            continue
        grade = row.get("grade") or None
        history.setdefault(row["employee"], []).append(PeriodResult(period.text, value, grade, pay))
    if problems:
        raise CsvError(problems)
    return history
