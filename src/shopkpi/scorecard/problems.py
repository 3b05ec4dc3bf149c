"""Problems of a template: values with a location, reported all at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    template: str  # the template id, or the file name when the id is unknown
    path: str  # YAML path: "items[1].bands", "grades", "pay.amount"
    message: str
    item: str | None = None  # the item key, where the problem is in an item
    line: int | None = None  # 1-based line in the YAML text, where known
    column: int | None = None  # 1-based column, where known (YAML syntax errors)

    def __str__(self) -> str:
        where = f"item {self.item!r}" if self.item is not None else self.path
        return f"{self.template}: {where}: {self.message}"


class TemplateError(ValueError):
    """A template that cannot be used; `problems` lists every reason found."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{self.source}:{_position(p)} {p}" for p in self.problems]


def _position(problem: Problem) -> str:
    """`12:` or `12:5:` (line and column), or nothing where the place is not known."""
    if problem.line is None:
        return ""
    return f"{problem.line}:{problem.column}:" if problem.column is not None else f"{problem.line}:"
