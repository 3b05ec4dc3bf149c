"""Import problems as values: every problem has a place (file, row, column) and a reason."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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

    def refuse_if_any(self) -> None:
        if self.items:
            raise ImportRefused(sorted(self.items, key=_order), truncated=self.truncated)


def _order(p: ImportProblem) -> tuple[str, int, str]:
    return (p.file, -1 if p.row is None else p.row, p.column or "")
