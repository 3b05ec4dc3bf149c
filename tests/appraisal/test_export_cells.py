"""The one rule every spreadsheet writer uses: a text that starts like a formula gets a leading quote and is
stored as text; numbers, and texts that are plain numbers, stay as they are."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from shopkpi.appraisal.exports import export_cells


@pytest.mark.parametrize(
    "hostile",
    ["=1+1", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "-", "+", "-Infinity"],
)
def test_a_text_that_starts_like_a_formula_is_quoted(hostile: str) -> None:
    assert export_cells.text(hostile) == "'" + hostile


@pytest.mark.parametrize("plain", ["", "本月完成了大促准备。", "'=already quoted", "a=b", " =1", "１=1"])
def test_other_texts_are_left_alone(plain: str) -> None:
    assert export_cells.text(plain) == plain


@pytest.mark.parametrize("number", ["-12.5", "+3", "-0.125", "-1e5", "-.5", "42"])
def test_a_text_that_is_a_plain_number_is_left_alone(number: str) -> None:
    assert export_cells.text(number) == number


def test_cells_other_than_text_are_as_they_are() -> None:
    assert export_cells.cell(Decimal("-3.50")) == Decimal("-3.50")
    assert export_cells.cell(-7) == -7
    assert export_cells.cell(None) is None


def test_the_csv_writer() -> None:
    buffer = io.StringIO()
    writer = export_cells.csv_writer(buffer, lineterminator="\n")
    writer.writerow(['=HYPERLINK("http://evil.example")', Decimal("-5"), "-5", "张三"])
    writer.writerows([["@SUM(1)"]])
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [
        ['\'=HYPERLINK("http://evil.example")', "-5", "-5", "张三"],
        ["'@SUM(1)"],
    ]


def test_an_openpyxl_workbook_is_saved_with_every_text_as_quoted_text(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["=1+1", "+cmd|' /C calc'!A0", -12.5, "普通文字"])
    second = book.create_sheet("第二页")
    second["B2"] = "@SUM(1,1)"
    assert sheet["A1"].data_type == "f"  # what openpyxl would have written
    export_cells.save_workbook(book, tmp_path / "out.xlsx")
    saved = load_workbook(tmp_path / "out.xlsx")
    first = saved.worksheets[0]
    assert [(c.value, c.data_type) for c in first[1]] == [
        ("'=1+1", "s"),
        ("'+cmd|' /C calc'!A0", "s"),
        (-12.5, "n"),
        ("普通文字", "s"),
    ]
    assert saved["第二页"]["B2"].value == "'@SUM(1,1)"


def test_an_xlsxwriter_workbook_writes_texts_as_quoted_text(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    book = export_cells.xlsxwriter_workbook(path)
    sheet = book.add_worksheet("一")
    sheet.write(0, 0, "=1+1")
    sheet.write_row(1, 0, ["http://evil.example", "-3", -3, "@SUM(1)"])
    book.close()
    saved = load_workbook(path).worksheets[0]
    assert (saved["A1"].value, saved["A1"].data_type) == ("'=1+1", "s")
    assert [(c.value, c.data_type) for c in saved[2]] == [
        ("http://evil.example", "s"),  # not made a link
        ("-3", "s"),
        (-3, "n"),
        ("'@SUM(1)", "s"),
    ]
    assert saved["A2"].hyperlink is None
