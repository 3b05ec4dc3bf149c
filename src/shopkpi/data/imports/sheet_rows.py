"""The rows of small company sheets (the roster, account ownership, positions) as typed Python values.

The check step of an import without its commit: the file is read by the same readers (`read_and_validate`),
matched to a profile by its headers (Chinese labels or canonical names) and parsed and checked by the
same validation as every import, so a date, a number or a missing required cell is refused the same
way, with file, row and column. What comes back is every row as a mapping of canonical column to
value, with its spreadsheet row number and the headers as the file spells them. These sheets are a
few thousand rows at most; the caller (the organisation service) writes them where they belong.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from shopkpi.data.datasets import DATASETS
from shopkpi.data.imports.profiles import InvalidProfiles, profiles_for
from shopkpi.data.imports.validation import read_and_validate
from shopkpi.data.problems import ProblemList

STAGING = ".import-staging"


@dataclass(frozen=True)
class SheetRows:
    file: str
    headers: Mapping[str, str]
    """Canonical column -> the header as the file spells it, for every column the file has."""
    rows: tuple[tuple[int, Mapping[str, Any]], ...]
    """(spreadsheet row, canonical column -> typed value: str, Decimal, date or None)."""

    def has(self, column: str) -> bool:
        return column in self.headers


def read_sheets(
    home: Path,
    dataset: str,
    files: Sequence[Path],
    *,
    profile: str | None = None,
    sets: Mapping[str, str] | None = None,
    timezone: str,
) -> list[SheetRows]:
    """Every file's typed rows; `ImportRefused` with every problem of every file when any has one."""
    problems = ProblemList()
    target = DATASETS[dataset]
    try:
        profiles = profiles_for(dataset, home)
    except InvalidProfiles as error:
        for e in error.errors:
            problems.add(e.file, None, e.path or None, e.reason)
        problems.refuse_if_any()
    root = home / STAGING
    root.mkdir(parents=True, exist_ok=True)
    stage = root / f"{os.getpid()}-{secrets.token_hex(4)}"
    stage.mkdir()
    try:
        found: list[SheetRows] = []
        for n, path in enumerate(files):
            folder = stage / str(n)
            folder.mkdir()
            con = duckdb.connect(":memory:", config={"threads": 1, "temp_directory": str(folder / "tmp")})
            try:
                read = read_and_validate(
                    path,
                    profiles,
                    profile,
                    sets or {},
                    folder,
                    target,
                    con,
                    "sheet",
                    problems,
                    timezone=timezone,
                )
                raw, typed = read if read is not None else (None, None)
                if raw is None or typed is None:
                    continue
                names = [c.name for c in target.columns]
                columns = ", ".join(f'"{name}"' for name in names)
                result = con.execute(f"SELECT _row, {columns} FROM {typed.view} ORDER BY _row").fetchall()
            finally:
                con.close()
            rows = tuple((int(r[0]), dict(zip(names, r[1:], strict=True))) for r in result)
            found.append(SheetRows(path.name, dict(raw.fit.headers), rows))
        problems.refuse_if_any()
        return found
    finally:
        shutil.rmtree(stage, ignore_errors=True)
