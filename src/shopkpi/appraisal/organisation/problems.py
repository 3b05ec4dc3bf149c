"""Why a change of the organisation is refused, and where: a file's row and column, or a form's field."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shopkpi.data.problems import ImportProblem, ImportRefused


@dataclass(frozen=True)
class Problem:
    """`code` names the refusal for programs (`supervisor_loop`, `two_owners` …); `field` the field of
    the form or API body (`supervisor`, `valid_from` …); `file`, `row` and `column` the place in a file
    (None for a form); `message` says what is wrong and what to do, in the active language."""

    code: str
    field: str
    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.file,
                None if self.row is None else f"row {self.row}",
                self.column or self.field,
            )
            if part
        )
        return f"{where}: {self.message}"


class OrganisationRefused(Exception):
    """Nothing was changed; `problems` says why (every problem found, each with its place)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(dict.fromkeys(problems))
        super().__init__("; ".join(str(p) for p in self.problems))

    @property
    def code(self) -> str:
        return self.problems[0].code if self.problems else "refused"

    def as_import(self, default_file: str) -> ImportRefused:
        """The same problems as an import's (file, row, column, reason)."""
        return ImportRefused(
            [ImportProblem(p.file or default_file, p.row, p.column, p.message) for p in self.problems]
        )
