"""The pyarrow fast path for large UTF-8 CSVs stages exactly what the ordinary path does."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from shopkpi.data.imports import csv_fast_path, staging
from shopkpi.data.imports.file_rows import DEFAULT_MAX_CELLS
from shopkpi.data.imports.importer import import_files
from shopkpi.data.imports.profiles import profiles_for
from shopkpi.data.problems import ImportRefused, ProblemList

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


def stage(path: Path, out: Path) -> tuple[tuple[int, int], list[dict[str, object]]]:
    """(rows, skipped) and the raw rows, staged in this process (where monkeypatching reaches)."""
    problems = ProblemList()
    profiles = profiles_for("cs_daily", None)
    staged = staging.stage_in_this_process(path, profiles, None, {}, out, problems, None, DEFAULT_MAX_CELLS)
    assert staged is not None and not problems
    return staged[2:4], pq.read_table(out).to_pylist()


def test_both_paths_stage_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / QIANNIU
    path.write_text(TEXT, encoding="utf-8")
    assert csv_fast_path.applies(path, "utf-8", [(1, ["千牛 客服绩效"])], 3)
    results: list[object] = []
    real_stage = csv_fast_path.stage
    monkeypatch.setattr(csv_fast_path, "stage", lambda *a: results.append(real_stage(*a)) or results[-1])
    fast_raw, fast = stage(path, tmp_path / "fast.parquet")
    assert results == [(2, 2)]  # the fast path did the work
    monkeypatch.setattr(csv_fast_path, "applies", lambda *args: False)
    slow_raw, slow = stage(path, tmp_path / "slow.parquet")
    assert (
        fast
        == slow
        == [
            {"_row": 4, "agent": "小美", "inquiries": "1,000", "paid_buyers": "38"},
            {"_row": 6, "agent": "小王, 二号", "inquiries": "50", "paid_buyers": "10"},
        ]
    )
    assert fast_raw == slow_raw == (2, 2)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("a,b\r\n1,2\r\n\r\n3,4\r\n", "utf-8"),  # a blank line shifts row numbers
        ("a,b\n1,2\n\n", "utf-8"),
        ("a,b\r\n1,\x00\r\n", "utf-8"),
        ("a,b\r\n1,2\r\n", "gb18030"),
    ],
)
def test_the_fast_path_stands_aside(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8")
    assert not csv_fast_path.applies(path, encoding, [], 1)


def test_a_ragged_row_falls_back_and_is_reported_where_it_is(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(
        "account,date,fans\nwb,2026-10-01,1\nwb,2026-10-02,2,extra\nwb,2026-10-03\n", encoding="utf-8"
    )
    with pytest.raises(ImportRefused) as refused:
        import_files(tmp_path / "home", "sns_posts", [path])
    assert [(p.row, p.reason) for p in refused.value.problems] == [(3, "the row has 4 cells, the header 3")]
