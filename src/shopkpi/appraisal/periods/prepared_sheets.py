"""The sheets of a prepared workbook (`shopkpi prepare`: `month_prepare`), and telling such a workbook
from any other XLSX by its sheet names alone, without loading the month's preparation and close (an
import of platform workbooks asks this of every file)."""

from __future__ import annotations

from pathlib import Path

from shopkpi.data.imports.workbook_checks import sheet_names

SHEETS = {"targets": "目标", "inputs": "手工录入", "ratings": "评分"}


def is_prepared_workbook(path: Path) -> bool:
    """Whether `path` is a workbook with the sheets of `month_prepare.write_workbook`."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    names = sheet_names(path)  # the workbook part alone: None for no readable workbook (the import says so)
    return names is not None and all(name in names for name in SHEETS.values())
