"""Fuzzing the importer: random bytes, truncated files, wrong encodings, huge numbers and formula-like
cells give ImportRefused (never another exception) and never a partial import."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from export_builders import (
    QIANNIU_NAME,
    qianniu_rows,
    sycm_shop_rows,
    write_csv,
    write_html_xls,
    write_xls,
    write_xlsx,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopkpi.data.imports.importer import import_files
from shopkpi.data.problems import ImportRefused
from shopkpi.data.warehouse.catalogue import Warehouse

FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def snapshot(home: Path) -> dict[str, str]:
    return {
        p.relative_to(home).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A warehouse that already holds one batch of every dataset the fuzzing imports into."""
    home = tmp_path / "home"
    seed = write_csv(tmp_path / "seed.csv", [["shop", "date", "uv"], ["A", "2026-10-01", "1"]])
    import_files(home, "shop_daily", [seed])
    seed = write_csv(tmp_path / "seed2.csv", [["agent", "date", "inquiries"], ["a", "2026-10-01", "1"]])
    import_files(home, "cs_daily", [seed])
    return home


def attempt(home: Path, dataset: str, path: Path) -> None:
    """Import `path`: either the whole file becomes one batch, or ImportRefused and nothing changed."""
    before = snapshot(home)
    try:
        [outcome] = import_files(home, dataset, [path])
    except ImportRefused as refused:
        assert refused.problems, "a refusal names its problems"
        assert all(p.reason for p in refused.problems)
        assert snapshot(home) == before
        assert not (home / ".import-staging").exists()
        return
    if outcome.status == "imported":  # the whole file, as one batch
        con = Warehouse(home).connect()
        assert con.execute("SELECT row_count FROM batches WHERE id = ?", [outcome.batch]).fetchall() == [
            (outcome.rows,)
        ]
        assert con.execute(
            f"SELECT count(*) FROM {dataset} WHERE _batch = ?", [outcome.batch]
        ).fetchone() == (outcome.rows,)


@FUZZ
@given(content=st.binary(max_size=4000), suffix=st.sampled_from([".csv", ".xlsx", ".xls", ".txt"]))
def test_random_bytes(home: Path, tmp_path: Path, content: bytes, suffix: str) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(content)
    attempt(home, "shop_daily", path)


def _valid_export(tmp_path: Path, which: int) -> tuple[str, Path]:
    rows = qianniu_rows([("小美", 100, 38, "12,345.60"), ("小王", 50, 10, "3,456.00")])
    shop = sycm_shop_rows("旗舰店", [])
    shop.append(["2026-10-01", "1,234", "2,000", 3, "99.00", 1, 2, "10", "0"])
    if which == 0:
        return "cs_daily", write_csv(tmp_path / f"{QIANNIU_NAME}.csv", rows, encoding="gbk")
    if which == 1:
        return "cs_daily", write_xlsx(tmp_path / f"{QIANNIU_NAME}.xlsx", rows)
    if which == 2:
        return "shop_daily", write_html_xls(tmp_path / "sycm.xls", shop, encoding="gbk")
    return "shop_daily", write_xls(tmp_path / "sycm-real.xls", shop)  # type: ignore[arg-type]


@FUZZ
@given(which=st.integers(0, 3), cut=st.floats(0, 1, exclude_max=True))
def test_truncated_files(home: Path, tmp_path: Path, which: int, cut: float) -> None:
    dataset, path = _valid_export(tmp_path, which)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * cut)])
    attempt(home, dataset, path)


@FUZZ
@given(
    which=st.integers(0, 3),
    position=st.integers(0, 10_000),
    garbage=st.binary(min_size=1, max_size=16),
)
def test_corrupted_files(home: Path, tmp_path: Path, which: int, position: int, garbage: bytes) -> None:
    dataset, path = _valid_export(tmp_path, which)
    data = bytearray(path.read_bytes())
    at = position % len(data)
    data[at : at + len(garbage)] = garbage
    path.write_bytes(bytes(data))
    attempt(home, dataset, path)


@FUZZ
@given(
    encoding=st.sampled_from(["utf-16-le", "utf-16-be", "big5", "shift_jis", "euc-kr", "cp1252", "latin-1"])
)
def test_wrong_encodings(home: Path, tmp_path: Path, encoding: str) -> None:
    text = "agent,date,inquiries\r\n小美,2026-10-01,3\r\nJosé,2026-10-02,4\r\n"
    path = tmp_path / "wrong.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    attempt(home, "cs_daily", path)


CELLS = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: f"{d:,}"),
    st.sampled_from(
        ["=cmd|' /C calc'!A0", "@SUM(1)", "+1+cmd", "-", "", "38.00%", "¥1,234", "1e308", "NaN", "inf"]
    ),
)


@FUZZ
@given(
    rows=st.lists(st.tuples(CELLS, CELLS, CELLS, CELLS), min_size=1, max_size=8),
    kind=st.sampled_from(["csv", "xlsx"]),
)
def test_hostile_cells(home: Path, tmp_path: Path, rows: list[tuple[str, str, str, str]], kind: str) -> None:
    content = [["agent", "date", "inquiries", "reply_rate"], *[list(r) for r in rows]]
    if kind == "csv":
        path = write_csv(tmp_path / "cells.csv", content)  # type: ignore[arg-type]
    else:
        path = write_xlsx(tmp_path / "cells.xlsx", content)  # type: ignore[arg-type]
    attempt(home, "cs_daily", path)
    con = Warehouse(home).connect()
    assert con.execute("SELECT count(*) FROM cs_daily WHERE starts_with(agent, '=')").fetchone() == (0,)
