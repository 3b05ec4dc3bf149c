"""Any list of the HR and GM pages as a finished Excel workbook: the one writer every list export uses
(reviews, overdue, GM approvals, action items, audit log, import problems).

    row 1   the title (company, what the list is)
    row 2   what it holds: the filter in words, how many rows, who exported it and when
    row 3   the columns, repeated on every printed page
    ...     one row per entry; a 合计 row where the list has totals
    then    signature lines (制表 / 审核 / 批准) where the list is a document to sign

Numbers stay numbers in their format (money ¥ with two decimals, scores one decimal, dates as
dates), texts go through `export_cells` (a text that would run as a formula is quoted), the header row
has filters, and the sheet prints on A4 landscape, one page wide. The export of a list is written to
the audit log (`list.export`) with what it held: lists name people and their results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from shopkpi.appraisal import audit
from shopkpi.appraisal.exports import export_cells

FORMATS = {
    "text": None,
    "money": "#,##0.00",
    "score": "0.0",
    "number": "#,##0",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
WIDTHS = {"text": 14, "money": 14, "score": 9, "number": 9, "date": 12, "datetime": 17}
HEADER_ROW = 3
HEADING = PatternFill("solid", fgColor="F0F3F6")
SIGNATURE_LINE = "＿＿＿＿＿＿＿＿"


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # one of FORMATS
    width: int | None = None  # characters; by kind when not given


@dataclass(frozen=True)
class ListSheet:
    name: (
        str  # the list's code in the audit log: reviews, overdue, approvals, actions, audit, import_problems
    )
    title: str  # row 1: "<company> 2026-10 考核列表"
    note: str  # row 2: the filter in words
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    totals: Sequence[Any] | None = None  # the 合计 row's cells, under the columns
    signatures: bool = False  # 制表 / 审核 / 批准 lines under the list
    filters: dict[str, Any] = field(default_factory=dict)  # the filter, for the audit log


def write(listed: ListSheet, destination: IO[bytes], *, exported_by: str, exported_at: str) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = listed.title[:31].replace("/", "-")
    width = len(listed.columns)
    sheet.append([listed.title])
    sheet["A1"].font = Font(bold=True, size=14)
    counted = _("共 %(n)s 条") % {"n": len(listed.rows)}
    exported = _("导出：%(who)s %(when)s") % {"who": exported_by, "when": exported_at}
    sheet.append(["；".join(part for part in (listed.note, counted, exported) if part)])
    for row in (1, 2):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(width, 1))
    sheet.append([str(column.title) for column in listed.columns])
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.fill = HEADING
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cells in listed.rows:
        sheet.append(list(cells))
    last = sheet.max_row
    if listed.totals is not None:
        sheet.append(list(listed.totals))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    for index, column in enumerate(listed.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width or WIDTHS[column.kind]
        number_format = FORMATS[column.kind]
        if number_format is not None:
            for (cell,) in sheet.iter_rows(min_row=HEADER_ROW + 1, min_col=index, max_col=index):
                cell.number_format = number_format
    if listed.rows:
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(width)}{last}"
    if listed.signatures:
        sheet.append([])
        sheet.append(signature_row())
    print_on_a4(sheet, HEADER_ROW)
    export_cells.save_workbook(book, destination)


def signature_row() -> list[str | None]:
    """制表 / 审核 / 批准 / 日期, each with a line to sign on."""
    labels = (_("制表："), _("审核："), _("批准："), _("日期："))
    return [cell for label in labels for cell in (label, SIGNATURE_LINE, None)][:-1]


def print_on_a4(sheet: Worksheet, header_row: int) -> None:
    """Printed on A4 landscape, one page wide, the column headers on every page; the rows under the
    headers scroll under them on screen."""
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"


def wall_clock(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored time as the company's wall-clock time (a workbook cell has no time zone)."""
    return None if moment is None else timezone.localtime(moment).replace(tzinfo=None)


def record_export(actor: str, listed: ListSheet) -> None:
    """The export in the audit log: which list, with which filter, how many rows."""
    record_list_export(actor, listed.name, len(listed.rows), listed.filters)


def record_list_export(actor: str, name: str, rows: int, filters: dict[str, Any]) -> None:
    """`record_export` of a list written earlier (by a job), from what it was."""
    audit.record(
        actor,
        "list.export",
        object_type="list",
        object_id=name,
        after={"rows": rows, "filters": filters, "format": "xlsx"},
    )
