"""Import problems and warnings as values: each has a place (file, row, column) and a reason.

A problem refuses the import whole (`ImportRefused`); a warning (`DataWarning`) is something
suspicious that is not wrong by itself: the import goes on only once someone has accepted it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PROBLEM_CAP = 200


@dataclass(frozen=True, order=True)
class ImportProblem:
    """One reason a file cannot be imported. `row` is the spreadsheet row (1 = the file's first row),
    None for a problem of the whole file; `column` is the header as the file spells it, or None."""

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"


WARNING_CODES = (
    "outside_period",  # rows dated outside the named period: {period, rows, first}
    "empty_money",  # empty money cells in a column: {rows}
    "empty_count",  # empty count cells in a column: {rows}
    "unowned_account",  # rows of accounts nobody owns on their date: {kind, rows, accounts}
    "duplicate_rows",  # rows that repeat another row exactly: {rows, first}
    "replaces_other_period",  # replaces rows of another period's batch: {batch, batch_file, rows, periods, period}
)


@dataclass(frozen=True)
class DataWarning:
    """Something suspicious that is not an error: the import goes on only when it is accepted.

    `code` names it for programs and translations (one of `WARNING_CODES`); `row` is the first row
    it concerns (None for the whole file), `column` the header as the file spells it; `params` are
    its figures (how many rows, which accounts, which period …). `str()` is the English the command
    line prints; `problem_text_zh.warning_zh` renders it in Chinese."""

    code: str
    file: str
    row: int | None = None
    column: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message()}"

    def message(self) -> str:
        p = self.params
        if self.code == "outside_period":
            return f"{p['rows']} row(s) outside the period {p['period']} (first: {p['first']})"
        if self.code == "empty_money":
            return f"{p['rows']} empty money cell(s)"
        if self.code == "empty_count":
            return f"{p['rows']} empty count cell(s)"
        if self.code == "unowned_account":
            return (
                f"{p['rows']} row(s) of {p['kind']} accounts nobody owns on their date: "
                f"{', '.join(p['accounts']) or '(empty)'}"
            )
        if self.code == "duplicate_rows":
            return f"{p['rows']} row(s) repeat another row exactly (this row repeats row {p['first']})"
        if self.code == "replaces_other_period":
            return (
                f"replaces {p['rows']} row(s) of batch {p['batch']} ({p['batch_file']}) dated "
                f"{', '.join(p['periods'])}, outside this file's period {p['period']}"
            )
        raise ValueError(f"unknown warning code {self.code!r}")


class UnreadableFile(Exception):
    """The file is not a readable CSV, Excel or HTML table, or too large to read (the reason says why)."""

    def __init__(self, reason: str, row: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row


class ImportRefused(Exception):
    """An import that changed nothing, with every problem found (up to the cap)."""

    def __init__(self, problems: Sequence[ImportProblem], *, truncated: bool = False) -> None:
        self.problems: tuple[ImportProblem, ...] = tuple(problems)
        self.truncated = truncated
        more = f" (only the first {len(self.problems)} are listed)" if truncated else ""
        self.summary = f"import refused: {len(self.problems)} problem(s){more}"
        shown = "; ".join(str(p) for p in self.problems[:5])
        super().__init__(f"{self.summary}: {shown}" if shown else self.summary)

    def report(self) -> str:
        """The summary and every problem, one a line."""
        return "\n".join([self.summary, *(f"  {p}" for p in self.problems)])


class ProblemList:
    """Collects problems up to a cap and remembers whether more were found."""

    def __init__(self, cap: int = PROBLEM_CAP) -> None:
        self.cap = cap
        self.items: list[ImportProblem] = []
        self.truncated = False

    def add(self, file: str, row: int | None, column: str | None, reason: str) -> None:
        if len(self.items) >= self.cap:
            self.truncated = True
            return
        self.items.append(ImportProblem(file, row, column, reason))

    def extend(self, problems: Iterable[ImportProblem]) -> None:
        for p in problems:
            self.add(p.file, p.row, p.column, p.reason)

    @property
    def full(self) -> bool:
        return len(self.items) >= self.cap

    def __bool__(self) -> bool:
        return bool(self.items)

    def refuse_if_any(self, files: Sequence[str] = ()) -> None:
        """ImportRefused with the problems in the order of `files` (the names as the user gave them;
        a file not among them after those, by name), each file's by row."""
        if self.items:
            place = {name: n for n, name in reversed(list(enumerate(files)))}

            def order(p: ImportProblem) -> tuple[int, str, int, str]:
                return (place.get(p.file, len(place)), p.file, -1 if p.row is None else p.row, p.column or "")

            raise ImportRefused(sorted(self.items, key=order), truncated=self.truncated)
