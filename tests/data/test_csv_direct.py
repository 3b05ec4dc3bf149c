"""A plain UTF-8 CSV is read by DuckDB directly: the same rows, row numbers and problems as the
ordinary way (staged by the reading process), or it stands aside and the ordinary way reads it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from shopkpi.data.datasets import DATASETS
from shopkpi.data.imports import csv_direct, staging
from shopkpi.data.imports.importer import import_files
from shopkpi.data.imports.profiles import profiles_for
from shopkpi.data.imports.validation import TypedFile, read_and_validate
from shopkpi.data.problems import PROBLEM_CAP, ImportRefused, ProblemList

QIANNIU = "自制报表-报表查看-客服绩效_20261001_20261031_全部.csv"
TEXT = (
    "﻿千牛 客服绩效\r\n"
    "统计时间,2026-10-01 ~ 2026-10-31\r\n"
    "旺旺昵称,询单人数,询单最终付款人数,备注\r\n"
    '小美,"1,000",38,"多行\r\n备注"\r\n'
    ",,,\r\n"
    '"小王, 二号",50,10,\r\n'
    "汇总值,1050,48,\r\n"
    "平均值,525,24,\r\n"
)


def read(
    path: Path, folder: Path, dataset: str
) -> tuple[staging.RawFile, TypedFile | None, list[tuple[object, ...]]]:
    """The file read and validated as an import does: (raw file, typed file, its rows by `_row`)."""
    problems = ProblemList()
    con = duckdb.connect(":memory:")
    folder.mkdir()
    found = read_and_validate(
        path,
        profiles_for(dataset, None),
        None,
        {},
        folder,
        DATASETS[dataset],
        con,
        "t",
        problems,
        timezone="Asia/Shanghai",
    )
    assert found is not None and not problems, problems.items
    raw, typed = found
    assert typed is not None
    rows = con.execute(f"SELECT * FROM {typed.view} ORDER BY _row").fetchall()
    return raw, typed, rows


def test_both_ways_give_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / QIANNIU
    path.write_text(TEXT, encoding="utf-8")
    direct_raw, direct, direct_rows = read(path, tmp_path / "direct", "cs_daily")
    assert direct_raw.direct is not None  # DuckDB read it
    monkeypatch.setattr(csv_direct, "probe", lambda *args: None)
    staged_raw, staged, staged_rows = read(path, tmp_path / "staged", "cs_daily")
    assert staged_raw.direct is None
    assert direct_rows == staged_rows
    # rows 4 and 6: row 5 is blank, rows 7 and 8 are 千牛's summary rows (left out, counted)
    assert [(r[0], r[1]) for r in direct_rows] == [(4, "小美"), (6, "小王, 二号")]
    assert (direct.rows, direct.skipped) == (staged.rows, staged.skipped) == (2, 2)


@pytest.mark.parametrize(
    "text",
    [
        "a,b\r\n1,2\r\n\r\n3,4\r\n",  # a blank line: DuckDB would skip it and shift the row numbers
        "a,b\n1,2\n\n",
        "a,b\r\n1,\x00\r\n",
        "a,b\r1,2\r3,4\n",  # a lone carriage return
    ],
)
def test_the_direct_way_stands_aside(tmp_path: Path, text: str) -> None:
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8", newline="")
    probed = csv_direct.probe(path, 30)
    assert probed is None or not csv_direct.applies(probed, 1)


@pytest.mark.parametrize(
    ("text", "simple"),
    [
        ("a,b\r\n1,2\r\n\r\n3,4\r\n", False),
        ("a,b\n1,2\n\n", False),
        ("a,b\r\n1,\x00\r\n", False),
        ("a,b\r1,2\r3,4\n", False),
        ("a,b\r\n1,2\r\n3,4\r\n", True),
        ("a,b\n1,2\n3,4", True),
    ],
)
def test_one_pass_gives_the_checksum_and_whether_the_lines_are_simple(
    tmp_path: Path, text: str, simple: bool
) -> None:
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8", newline="")
    scanned = csv_direct.scan_file(path)
    assert scanned == csv_direct.ScannedFile(hashlib.sha256(path.read_bytes()).hexdigest(), simple)
    probed = csv_direct.probe(path, 30)  # (a NUL byte in the head: not even probed)
    if probed is not None:
        assert csv_direct.applies(probed, 1) == simple == csv_direct.applies(probed, 1, scanned.simple_lines)


@pytest.mark.parametrize(
    ("blank", "offset"), [("\n\n", -1), ("\r\n\r\n", -1), ("\r\n\r\n", -2), ("\r\n\r\n", -3)]
)
def test_a_blank_line_across_two_chunks_is_seen(tmp_path: Path, blank: str, offset: int) -> None:
    """The file is read in chunks: a blank line whose bytes fall in two of them is still seen."""
    before = "a,b\n" + "1,2\n" * (csv_direct._CHUNK // 4 - 2)
    before += "x" * (csv_direct._CHUNK + offset - len(before))  # the blank line starts at the offset
    path = tmp_path / "f.csv"
    path.write_text(before + blank + "3,4\n", encoding="utf-8", newline="")
    assert not csv_direct.scan_file(path).simple_lines
    one = blank[: len(blank) // 2]  # the same line break, once: no blank line
    path.write_text(before + one + "3,4\n", encoding="utf-8", newline="")
    assert csv_direct.scan_file(path).simple_lines


def test_gbk_text_is_read_the_ordinary_way(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes("account,date,fans\n微博,2026-10-01,1\n".encode("gb18030"))
    raw, _typed, rows = read(path, tmp_path / "read", "sns_posts")
    assert raw.direct is None and [(r[0], r[1]) for r in rows] == [(2, "微博")]


def test_a_ragged_row_falls_back_and_is_reported_where_it_is(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(
        "account,date,fans\nwb,2026-10-01,1\nwb,2026-10-02,2,extra\nwb,2026-10-03\n", encoding="utf-8"
    )
    with pytest.raises(ImportRefused) as refused:
        import_files(tmp_path / "home", "sns_posts", [path])
    assert [(p.row, p.reason) for p in refused.value.problems] == [(3, "the row has 4 cells, the header 3")]


def test_the_progress_of_a_file_read_again_never_goes_back(tmp_path: Path) -> None:
    """The direct way reports the file read, then gives up on a ragged row near its end; the ordinary
    way reads it again from its start: what is shown holds until the new reading passes it."""
    path = tmp_path / "f.csv"
    rows = "".join(f"wb{i},2026-10-{1 + i % 28:02d},{i}\n" for i in range(20_000))
    path.write_text(f"account,date,fans\n{rows}wb,2026-10-02,2,extra\n", encoding="utf-8")
    seen: list[int] = []
    with pytest.raises(ImportRefused) as refused:
        import_files(tmp_path / "home", "sns_posts", [path], progress=lambda _f, done, _s: seen.append(done))
    assert [p.row for p in refused.value.problems] == [20_002]  # found by the ordinary way
    assert seen and seen == sorted(seen) and seen[-1] == path.stat().st_size


def test_not_utf8_after_the_head_falls_back(tmp_path: Path) -> None:
    """The head is UTF-8 but a later row is GBK: DuckDB refuses it, the ordinary way reads it as GBK."""
    path = tmp_path / "f.csv"
    head = "account,date,fans\n" + "".join(f"wb,2026-10-0{day},1\n" for day in (1, 2, 3))
    path.write_bytes(head.encode() + "微博,2026-10-04,2\n".encode("gb18030"))
    raw, typed, _rows = read(path, tmp_path / "read", "sns_posts")
    assert raw.direct is None and typed.rows == 4


def test_a_bad_cell_deep_in_a_large_file_is_reported_on_its_row(tmp_path: Path) -> None:
    """DuckDB reads in parallel; the rows keep their order, so a row number is exact."""
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("shop,date,uv\n")
        for i in range(300_000):
            f.write(f"S{i // 28},2026-10-{1 + i % 28:02d},{'x' if i == 250_000 else i}\n")
    with pytest.raises(ImportRefused) as refused:
        import_files(tmp_path / "home", "shop_daily", [path])
    # data row i is spreadsheet row i + 2 (the header is row 1)
    assert [(p.row, p.column, p.reason) for p in refused.value.problems] == [
        (250_002, "uv", "not a number: x")
    ]


def test_problems_are_listed_in_the_order_the_files_were_given(tmp_path: Path) -> None:
    """The direct CSVs are answered before the staged files, but the problems follow the files as given
    (each by row), and the cap keeps the first files' problems: a GBK file first (staged) with more
    bad rows than the cap, then two UTF-8 CSVs (direct) named before it alphabetically."""
    staged = tmp_path / "b-gbk.csv"
    bad = "".join(f"微博,2026-10-{1 + i % 28:02d},x{i}\n" for i in range(PROBLEM_CAP + 5))
    staged.write_bytes(("account,date,fans\n" + bad).encode("gb18030"))
    small = tmp_path / "c-small.csv"  # given before the other direct one, named after it
    small.write_text("account,date,fans\nwb,2026-10-01,y\n", encoding="utf-8")
    direct = tmp_path / "a-utf8.csv"
    direct.write_text("account,date,fans\nwb,2026-10-01,1\nwb,2026-10-02,z\n", encoding="utf-8")

    with pytest.raises(ImportRefused) as refused:
        import_files(tmp_path / "home", "sns_posts", [small, direct])
    assert [(p.file, p.row) for p in refused.value.problems] == [("c-small.csv", 2), ("a-utf8.csv", 3)]

    with pytest.raises(ImportRefused) as refused:
        import_files(tmp_path / "home", "sns_posts", [staged, small, direct])
    listed = refused.value.problems
    assert refused.value.truncated and len(listed) == PROBLEM_CAP
    assert {p.file for p in listed} == {"b-gbk.csv"}  # the first file's, not the direct ones answered first
    assert [p.row for p in listed] == list(range(2, PROBLEM_CAP + 2))
