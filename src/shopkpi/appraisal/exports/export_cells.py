"""The cells of every spreadsheet shopkpi writes (XLSX and CSV): a text is written as text and never runs.

A self-assessment, a comment or a name is typed by someone and opened by someone else in Excel, WPS
or LibreOffice. As OWASP advises against formula (CSV) injection, a text starting with `=`, `+`,
`-`, `@`, a tab or a carriage return gets a leading single quote, so the program shows it and never
runs it; in a workbook it is also stored as a text cell. Numbers stay numbers, and a text that is a
plain number (`-12.5`, as the command line's CSV files write values) is left as it is: it cannot run.

Every writer goes through here: `save_workbook` for openpyxl workbooks (every text cell of every
sheet, however it was written), `csv_writer` for CSV, `xlsxwriter_workbook` for XlsxWriter.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl import Workbook
    from xlsxwriter import Workbook as XlsxWriterWorkbook

RUNS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def text(value: str) -> str:
    """The text as a spreadsheet must show it: quoted when it starts like a formula."""
    if value.startswith(RUNS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def cell(value: Any) -> Any:
    """A cell's value as written: texts through `text`, everything else (numbers, dates, None) as it is."""
    return text(value) if isinstance(value, str) else value


def save_workbook(book: Workbook, destination: str | Path | IO[bytes]) -> None:
    """Save an openpyxl workbook with every text cell made safe and typed as text (openpyxl would
    otherwise store a text starting with `=` as a formula)."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for each in row:
                if isinstance(each.value, str):
                    safe = text(each.value)
                    if safe is not each.value:  # set again only when quoted (a cell's value is checked)
                        each.value = safe
                    each.data_type = "s"
    book.save(destination)


class _CsvWriter:
    def __init__(self, stream: IO[str], **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: IO[str], **options: Any) -> _CsvWriter:
    """`csv.writer` whose rows are written through `cell`."""
    return _CsvWriter(stream, **options)


def _write_text(sheet: Any, row: int, column: int, value: str, *options: Any) -> Any:
    return sheet.write_string(row, column, text(value), *options)


def xlsxwriter_workbook(path: str | Path) -> XlsxWriterWorkbook:
    """An XlsxWriter workbook whose `write` / `write_row` put every text through `text`, as a text cell
    (never a formula, a link or a number)."""
    import xlsxwriter

    class SafeWorkbook(xlsxwriter.Workbook):  # type: ignore[misc]
        def add_worksheet(self, name: str | None = None, worksheet_class: Any = None) -> Any:
            sheet = super().add_worksheet(name, worksheet_class)
            sheet.add_write_handler(str, _write_text)
            return sheet

    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    book: XlsxWriterWorkbook = SafeWorkbook(str(path), options)
    return book
