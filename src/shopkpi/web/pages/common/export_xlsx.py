"""The 考核表 as an Excel workbook (openpyxl), laid out as HR's sheet today:

    row 1   the title, merged across the twelve columns: company, period, employee
    row 2-3 姓名 / 工号 / 部门 / 岗位, 考核期间 / 考评负责人 / 考核表模板 / 状态 (label, value pairs)
    row 4   考核指标 详细描述 标准 分值 权重 实际值 目标 完成率 得分 自评分 考评分 评语
    ...     one row per standard of each item; the item's other cells merged down its rows; the
            standard the value fell in is filled
    then    合计 (得分, 自评分), 等级, 绩效工资, the texts (自我评价, 上级评语, 面谈), and the signature
            lines 本人签字 / 直接上司签字 / 总经理签字 with their dates

Numbers stay numbers (分值, 权重 and 完成率 as percentages, 实际值 and 目标 in their unit's format,
得分 ...), so the sheet can be summed.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from shopkpi.appraisal.exports import export_cells
from shopkpi.web.number_format import UNIT_SUFFIXES
from shopkpi.web.pages.review.export import Scorecard, columns, pay_label, signatures

WIDTHS = (16, 30, 18, 7, 7, 14, 14, 9, 8, 8, 8, 36)
COLUMNS = len(WIDTHS)
HEADER_ROW = 4
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
BOLD = Font(bold=True)
MATCHED = PatternFill("solid", fgColor="FFF8C5")
HEADING = PatternFill("solid", fgColor="F0F3F6")
POINTS_FORMAT = "0.0##"
# the 实际值 and 目标 cells in their unit (the metric catalogue's); a unit of its own after the number
UNIT_FORMATS = {"yuan": '"¥"#,##0.00', "ratio": "0.0%"}
FIRST_SUMMARY, LAST_LABEL = 9, 8  # 得分 is column 9; the summary's labels span columns 1–8


def _amount_format(value: Decimal | None, unit: str | None) -> str | None:
    if value is None:
        return None
    if unit in UNIT_FORMATS:
        return UNIT_FORMATS[unit]
    shape = "#,##0" if value == value.to_integral_value() else "#,##0.00"
    word = UNIT_SUFFIXES.get(unit or "")
    return f'{shape}" {_(word)}"' if word else shape


def _boxed(sheet: Worksheet, row: int, first: int = 1, last: int = COLUMNS) -> None:
    for column in range(first, last + 1):
        sheet.cell(row, column).border = BORDER


def _merged_text(sheet: Worksheet, row: int, label: str, text: str) -> None:
    """A label in column A and its text across the other columns."""
    sheet.cell(row, 1, label).font = BOLD
    sheet.cell(row, 2, text).alignment = WRAP
    sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=COLUMNS)
    _boxed(sheet, row)
    lines = max(1, sum(len(part) // 60 + 1 for part in text.splitlines() or [""]))
    sheet.row_dimensions[row].height = max(18, 15 * lines)


def write(card: Scorecard) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("考核表")
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    sheet.cell(1, 1, card.title).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = CENTER
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=COLUMNS)
    sheet.row_dimensions[1].height = 28
    for offset, pairs in enumerate((card.info[:4], card.info[4:8])):
        row = 2 + offset
        column = 1
        for label, value in pairs:
            sheet.cell(row, column, label).font = BOLD
            sheet.cell(row, column + 1, value).alignment = WRAP
            column += 2
        # the fourth pair's value takes the columns up to the last
        sheet.merge_cells(start_row=row, start_column=8, end_row=row, end_column=COLUMNS)
        _boxed(sheet, row)

    for column, title in enumerate(columns(), start=1):
        cell = sheet.cell(HEADER_ROW, column, title)
        cell.font = BOLD
        cell.alignment = CENTER
        cell.fill = HEADING
        cell.border = BORDER

    row = HEADER_ROW + 1
    for block in card.items:
        first = row
        for standard in block.standards:
            sheet.cell(row, 3, standard.text).alignment = WRAP
            points = sheet.cell(row, 4, standard.points)
            points.alignment = CENTER
            points.number_format = "0.##"
            if standard.matched:
                sheet.cell(row, 3).fill = MATCHED
                points.fill = MATCHED
                sheet.cell(row, 3).font = BOLD
            _boxed(sheet, row)
            row += 1
        last = row - 1
        measured = block.measured
        merged: tuple[tuple[int, str | Decimal | None, Alignment, str | None], ...] = (
            (1, block.name, WRAP, None),
            (2, block.description, WRAP, None),
            (5, block.weight, CENTER, "0%"),
            (6, measured.actual, CENTER, _amount_format(measured.actual, measured.unit)),
            (7, measured.target, CENTER, _amount_format(measured.target, measured.unit)),
            (8, measured.attainment, CENTER, "0.0%"),
            (9, block.points, CENTER, POINTS_FORMAT),
            (10, block.self_rating, CENTER, "0.##"),
            (11, block.rating, CENTER, "0.##"),
            (12, block.comment, WRAP, None),
        )
        for column, content, alignment, number_format in merged:
            cell = sheet.cell(first, column, content)
            cell.alignment = alignment
            if number_format is not None:
                cell.number_format = number_format
            if last > first:
                sheet.merge_cells(start_row=first, start_column=column, end_row=last, end_column=column)
        sheet.cell(first, 1).font = BOLD
        height = max(18.0, 15.0 * (len(block.description) // 28 + 1) / (last - first + 1))
        for each in range(first, last + 1):
            sheet.row_dimensions[each].height = height

    sheet.cell(row, 1, _("合计")).font = BOLD
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=LAST_LABEL)
    total = sheet.cell(row, FIRST_SUMMARY, card.score)
    total.font = BOLD
    total.number_format = POINTS_FORMAT
    total.alignment = CENTER
    own = sheet.cell(row, FIRST_SUMMARY + 1, card.self_total)
    own.number_format = POINTS_FORMAT
    own.alignment = CENTER
    _boxed(sheet, row)
    row += 1
    summary: tuple[tuple[str, str | Decimal | None, str | None], ...] = (
        (_("等级"), card.grade or "—", None),
        (
            pay_label(card.pay_kind),
            card.pay if card.pay_kind is not None else _("本岗位不计绩效工资"),
            "#,##0.00",
        ),
    )
    for label, shown, number_format in summary:
        sheet.cell(row, 1, label).font = BOLD
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=LAST_LABEL)
        cell = sheet.cell(row, FIRST_SUMMARY, shown if shown is not None else "—")
        cell.alignment = CENTER
        if number_format is not None and shown is not None:
            cell.number_format = number_format
        sheet.merge_cells(start_row=row, start_column=FIRST_SUMMARY, end_row=row, end_column=COLUMNS)
        _boxed(sheet, row)
        row += 1
    for label, text in card.texts:
        _merged_text(sheet, row, label, text)
        row += 1

    row += 1
    first_signature = row
    for label in signatures():
        sheet.cell(row, 1, f"{label}：").font = BOLD
        sheet.cell(row, 2, "")
        sheet.cell(row, 2).border = Border(bottom=THIN)
        sheet.cell(row, 3).border = Border(bottom=THIN)
        sheet.cell(row, 5, _("日期：")).font = BOLD
        sheet.merge_cells(start_row=row, start_column=5, end_row=row, end_column=6)
        for column in (7, 8):
            sheet.cell(row, column).border = Border(bottom=THIN)
        sheet.row_dimensions[row].height = 30
        row += 1
    if card.acknowledged_at:
        note = _("已于 %(when)s 在系统中签字确认") % {"when": card.acknowledged_at}
        sheet.cell(first_signature, COLUMNS, note).alignment = WRAP

    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    stream = BytesIO()
    export_cells.save_workbook(book, stream)
    return stream.getvalue()
