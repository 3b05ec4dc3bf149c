"""Reading export files: encodings, Excel, HTML tables, row numbers, unreadable files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from export_builders import write_html_xls, write_xls, write_xlsx

from shopkpi.data.imports.file_rows import excel_cell_text, open_rows
from shopkpi.data.problems import UnreadableFile

ROWS = [["店铺", "日期", "访客数"], ["旗舰店𠀀", "2026-10-01", "1,234"]]  # 𠀀 needs GB18030's four-byte form
TEXT = '店铺,日期,访客数\r\n旗舰店𠀀,2026-10-01,"1,234"\r\n'


def read(path: Path) -> tuple[str, list[tuple[int, list[str | None]]]]:
    opened = open_rows(path)
    return opened.format, list(opened.rows)


@pytest.mark.parametrize(
    ("encoding", "label"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("utf-16", "utf-16")],
)
def test_csv_encodings_read_alike(tmp_path: Path, encoding: str, label: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(TEXT.encode(encoding))
    fmt, rows = read(path)
    assert fmt == f"csv ({label})"
    assert rows == [(1, ROWS[0]), (2, ROWS[1])]


def test_gbk_is_read_as_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes("店铺,访客数\r\n旗舰店,12\r\n".encode("gbk"))
    assert read(path)[1] == [(1, ["店铺", "访客数"]), (2, ["旗舰店", "12"])]


def test_a_file_that_is_neither_utf8_nor_gb18030_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"shop,uv\r\nA,1\r\nB\xff\xff,2\r\n")
    with pytest.raises(UnreadableFile, match="neither UTF-8 nor GBK/GB18030"):
        read(path)


@pytest.mark.parametrize(
    "content", [b"", b"  \r\n", b"a,b\x00c\r\n", b"PK\x03\x04garbage", b"\xd0\xcf\x11\xe0junk"]
)
def test_unreadable_files_raise_a_clean_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "f.xlsx"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile):
        read(path)


def test_row_numbers_count_records_as_excel_shows_them(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text('a,b\r\n"two\r\nlines",1\r\n\r\nx,2\r\n', encoding="utf-8")
    assert read(path)[1] == [(1, ["a", "b"]), (2, ["two\r\nlines", "1"]), (3, []), (4, ["x", "2"])]


def test_tab_separated_text_saved_as_xls(tmp_path: Path) -> None:
    path = tmp_path / "report.xls"
    path.write_bytes("日期\t访客数\r\n2026-10-01\t1,234\r\n".encode("gbk"))
    assert read(path)[1] == [(1, ["日期", "访客数"]), (2, ["2026-10-01", "1,234"])]


def test_html_xls_cells(tmp_path: Path) -> None:
    path = tmp_path / "r.xls"
    path.write_text(
        "<html><body><table><tr><th colspan=3>【生意参谋平台】</th></tr>"
        "<tr><th>日期</th><th>名称</th><th>访客数</th></tr>"
        "<tr><td>2026-10-01</td><td>A &amp; B<br>围巾</td><td> 1,234 </td></tr>"
        "<tr><td>2026-10-02</td><td></td><td>5</td></tr></table></body></html>",
        encoding="utf-8",
    )
    fmt, rows = read(path)
    assert fmt == "html (utf-8)"
    assert rows == [
        (1, ["【生意参谋平台】"]),
        (2, ["日期", "名称", "访客数"]),
        (3, ["2026-10-01", "A & B 围巾", "1,234"]),
        (4, ["2026-10-02", None, "5"]),
    ]


def test_gbk_html_xls(tmp_path: Path) -> None:
    path = write_html_xls(tmp_path / "r.xls", [["店铺", "访客数"], ["旗舰店", "3"]], encoding="gbk")
    assert read(path) == ("html (gb18030)", [(1, ["店铺", "访客数"]), (2, ["旗舰店", "3"])])


def test_xlsx_and_xls_cells_are_text_without_spurious_decimals(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        [None, "标题"],
        ["日期", "访客数", "金额", "比率"],
        [dt.date(2026, 10, 1), 1234, 12.5, 0.385],
    ]
    for path in (write_xlsx(tmp_path / "f.xlsx", rows), write_xls(tmp_path / "f.xls", rows)):  # type: ignore[arg-type]
        fmt, got = read(path)
        assert fmt == path.suffix[1:]
        assert got == [
            (1, [None, "标题", None, None]),
            (2, ["日期", "访客数", "金额", "比率"]),
            (3, ["2026-10-01", "1234", "12.5", "0.385"]),
        ]


def test_excel_cell_text() -> None:
    assert excel_cell_text(3.0) == "3"
    assert excel_cell_text(1e20) == "1e+20"
    assert excel_cell_text(True) == "true"
    assert excel_cell_text(dt.datetime(2026, 10, 1, 9, 5)) == "2026-10-01 09:05:00"
    assert excel_cell_text(dt.time(0, 1, 5)) == "00:01:05"
    assert excel_cell_text(dt.timedelta(seconds=65)) == "65.0"
    assert excel_cell_text("") is None
