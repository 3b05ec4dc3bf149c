"""A large clean CSV is typed the quick way (`plain_cells`): every cell as it is. The quick way never
gives another answer than the full parse: the same typed rows when every cell is plain, and when one
is not, the full statement's problems, at the same file, row and column."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopkpi.data.datasets import DATASETS
from shopkpi.data.imports import staging, validation
from shopkpi.data.imports.profiles import profiles_for
from shopkpi.data.imports.validation import read_and_validate
from shopkpi.data.problems import ProblemList

HEADER = ("user", "ts", "behavior", "item", "shop")
ORDERS = ("order_id", "shop", "buyer", "created_at", "paid_at", "status")


def write(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


Outcome = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], int | None]  # problems, rows, hashes


def read(
    path: Path,
    dataset: str,
    folder: Path,
    *,
    plain: bool,
    monkeypatch: pytest.MonkeyPatch,
    taken: list[bool] | None = None,
) -> Outcome:
    """`path` read and validated as an import does, the quick way allowed or not: (its problems as
    (file, row, column, reason), its typed rows by `_row`, how many distinct row hashes). `taken`
    gets whether the quick way typed the file."""
    quick = validation._plain_cells

    def spied(*args: Any) -> bool:
        done = quick(*args) if plain else False
        if taken is not None:
            taken.append(done)
        return done

    monkeypatch.setattr(validation, "_plain_cells", spied)
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
    monkeypatch.setattr(validation, "_plain_cells", quick)
    listed = [(p.file, p.row, p.column, p.reason) for p in problems.items]
    typed = found[1] if found is not None else None
    if typed is None:
        return listed, [], None
    names = ", ".join(f'"{c}"' for c in DATASETS[dataset].column_names)
    rows = con.execute(f"SELECT _row, {names} FROM {typed.view} ORDER BY _row").fetchall()
    hashes = None
    if not DATASETS[dataset].key:
        found_hashes = con.execute(f"SELECT count(DISTINCT _row_hash) FROM {typed.view}").fetchone()
        hashes = found_hashes[0] if found_hashes else None
    return listed, rows, hashes


def both(
    path: Path, dataset: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Outcome, Outcome]:
    n = len(list(tmp_path.iterdir()))
    full = read(path, dataset, tmp_path / f"full{n}", plain=False, monkeypatch=monkeypatch)
    quick = read(path, dataset, tmp_path / f"quick{n}", plain=True, monkeypatch=monkeypatch)
    return full, quick


def clean_rows(n: int) -> list[tuple[str, ...]]:
    start = dt.datetime(2026, 10, 1, 8, 0, 0)
    return [
        (
            f"{310000000 + i % 977}",
            f"{start + dt.timedelta(seconds=37 * i):%Y-%m-%d %H:%M:%S}",
            ("pv", "cart", "fav", "buy")[i % 4],
            f"6000003{i % 101:05d}",
            ("初见户外优选店", "Shop B")[i % 2],
        )
        for i in range(n)
    ]


def test_a_clean_file_is_typed_the_quick_way_as_the_full_parse_types_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "events.csv", HEADER, clean_rows(2_000))
    taken: list[bool] = []
    read(path, "traffic_events", tmp_path / "spy", plain=True, monkeypatch=monkeypatch, taken=taken)
    assert taken == [True]
    full, fast = both(path, "traffic_events", tmp_path, monkeypatch)
    assert full == fast and full[0] == [] and len(full[1]) == 2_000
    assert full[1][0][:3] == (2, "310000000", dt.datetime(2026, 10, 1, 8, 0, 0))


@pytest.mark.parametrize(
    ("row", "column", "cell", "reason"),
    [
        (1_502, 1, "2026-10-01 25:00:00", ("ts", "not a date and time: 2026-10-01 25:00:00")),
        (1_502, 2, "view", ("behavior", "unknown value view (expected pv, cart, fav, buy)")),
        (1_999, 0, "", ("user", "required value missing")),
        (2, 0, "=cmd|' /C calc'!A0", ("user", "formula-like cell refused: =cmd|' /C calc'!A0")),
        (1_001, 4, "@SUM(1+1)", ("shop", "formula-like cell refused: @SUM(1+1)")),
    ],
)
def test_one_bad_cell_among_clean_ones_gets_the_full_parse_s_problem(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    row: int,
    column: int,
    cell: str,
    reason: tuple[str, str],
) -> None:
    rows = clean_rows(2_000)
    i = row - 2  # the header is row 1
    rows[i] = tuple(cell if k == column else v for k, v in enumerate(rows[i]))
    path = write(tmp_path / "events.csv", HEADER, rows)
    full, fast = both(path, "traffic_events", tmp_path, monkeypatch)
    assert fast == full
    assert fast[0] == [("events.csv", row, *reason)]


def test_cells_that_are_valid_but_not_plain_are_read_by_the_full_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shop with a space after it, a timestamp as Excel writes it, 浏览 for pv: valid, the same rows."""
    rows = clean_rows(300)
    rows[10] = (rows[10][0], "2026/10/1 9:05", "浏览", rows[10][3], "初见户外优选店 ")
    path = write(tmp_path / "events.csv", HEADER, rows)
    full, fast = both(path, "traffic_events", tmp_path, monkeypatch)
    assert fast == full and fast[0] == []
    assert fast[1][10][1:4] == ("310000010", dt.datetime(2026, 10, 1, 9, 5), "pv")
    assert fast[1][10][6] == "初见户外优选店"


def test_an_empty_optional_timestamp_is_plain_and_an_unreadable_one_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        ("O1", "S1", "b1", "2026-10-01 09:00:00", "", "paid"),
        ("O2", "S1", "b2", "2026-10-01 09:00:00", "2026-10-01 09:01:00", ""),
    ]
    path = write(tmp_path / "orders.csv", ORDERS, rows)
    taken: list[bool] = []
    read(path, "orders", tmp_path / "spy", plain=True, monkeypatch=monkeypatch, taken=taken)
    assert taken == [True]
    full, fast = both(path, "orders", tmp_path, monkeypatch)
    paid_at = 1 + DATASETS["orders"].column_names.index("paid_at")  # after _row
    assert fast == full and fast[0] == [] and fast[1][0][paid_at] is None
    rows.append(("O3", "S1", "b3", "2026-10-01 09:00:00", "yesterday", "paid"))
    path = write(tmp_path / "orders2.csv", ORDERS, rows)
    full, fast = both(path, "orders", tmp_path, monkeypatch)
    assert fast == full and fast[0] == [("orders2.csv", 4, "paid_at", "not a date and time: yesterday")]


@pytest.mark.parametrize(
    ("dataset", "row", "plain"),
    [
        ("traffic_events", {"user": "u1", "ts": "2026-10-01 09:00:00", "behavior": "pv"}, True),
        ("orders", {"order_id": "O1", "shop": "S", "buyer": "b", "created_at": "2026-10-01"}, True),
        ("shop_daily", {"shop": "S", "date": "2026-10-01", "uv": "1"}, False),  # a date, a count
        ("targets", {"employee": "E1", "period": "2026-10", "name": "gmv", "value": "1"}, False),
        ("accounts", {"employee": "E1", "kind": "shop", "account": "S"}, False),  # row rules
    ],
)
def test_only_text_and_timestamp_files_are_read_the_quick_way(
    tmp_path: Path, dataset: str, row: dict[str, str], plain: bool
) -> None:
    path = write(tmp_path / "f.csv", tuple(row), [tuple(row.values())])
    raw = staging.direct_raw(path, profiles_for(dataset, None), None, {}, tmp_path / "raw", ProblemList())
    assert raw is not None and raw.direct is not None
    assert (validation._plain_select(raw, DATASETS[dataset]) is not None) == plain


@pytest.mark.parametrize(
    ("ts", "plain"),
    [
        (" 2026-10-01 09:30:00", True),  # the format skips ASCII spaces; the full parse trims them
        ("2026-10-01 09:30:00\t", True),
        ("\x0b2026-10-01 09:30:00", True),
        ("2026-10-1 9:30:0", True),
        ("2026-10-01  09:30:00", True),
        ("\u30002026-10-01 09:30:00", False),  # a full-width space: the full parse trims it
        ("2026-10-01 09:30:00\xa0", False),
        ("2026-10-01 09:30:00.250", False),
        ("2026/10/01 09:30:00", False),
        ("1790000000", False),
    ],
)
def test_a_timestamp_the_quick_way_reads_is_the_full_parse_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ts: str, plain: bool
) -> None:
    rows = clean_rows(3)
    rows[1] = (rows[1][0], ts, *rows[1][2:])
    path = write(tmp_path / "events.csv", HEADER, rows)
    taken: list[bool] = []
    read(path, "traffic_events", tmp_path / "spy", plain=True, monkeypatch=monkeypatch, taken=taken)
    assert taken == [plain]
    full, fast = both(path, "traffic_events", tmp_path, monkeypatch)
    assert fast == full and fast[0] == []


SPACES = [" ", "\t", "\u3000", "\xa0", "\ufeff", "\r", "\x0b"]
TOKENS = [
    "2026-10-01 09:30:00",
    "2026-10-1 9:30:00",
    "2026/10/01 09:30:00",
    "2026-10-01T09:30:00",
    "20261001",
    "1790000000",
    "46000.5",
    "-",
    "--",
    "—",
    "－",
    "",
    "pv",
    "PV",
    "浏览",
    "buy",
    "=1+1",
    "+SUM(1)",
    "-5",
    "@旗舰店",
    "310000001",
    "店铺A",
]
tricky = st.builds(
    lambda before, token, after: before + token + after,
    st.sampled_from(["", "", "", *SPACES]),
    st.one_of(st.sampled_from(TOKENS), st.text(alphabet="0123456789-: /.=+@(a", max_size=12)),
    st.sampled_from(["", "", "", *SPACES]),
)
# mostly cells the quick way reads, so that whole files of them are read the quick way too
cell = st.one_of(
    st.sampled_from(["2026-10-01 09:30:00", "pv", "310000001", "店铺A", " 2026-10-1 9:30:00\t"]), tricky
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(cell, cell, cell, cell, cell), min_size=1, max_size=3))
def test_any_cells_give_the_full_parse_s_answer(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, rows: list[tuple[str, ...]]
) -> None:
    folder = tmp_path_factory.mktemp("cells")
    path = write(folder / "events.csv", HEADER, rows)
    full, fast = both(path, "traffic_events", folder, monkeypatch)
    assert fast == full


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(cell, cell), min_size=1, max_size=3))
def test_any_timestamps_are_the_full_parse_s_when_plain(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, cells: list[tuple[str, str]]
) -> None:
    """Only the timestamps vary (the other cells plain): every one the quick way reads is the full
    parse's value, and every one it does not read gives the full parse's problem."""
    folder = tmp_path_factory.mktemp("stamps")
    rows = [(f"O{i}", "S1", "b", created, paid, "paid") for i, (created, paid) in enumerate(cells)]
    path = write(folder / "orders.csv", ORDERS, rows)
    full, fast = both(path, "orders", folder, monkeypatch)
    assert fast == full


@pytest.mark.parametrize(
    ("rows", "problems"),
    [
        ([], [("events.csv", None, None, "the file has no data rows")]),
        (
            [("u1", "2026-10-01 09:00:00", "pv", "i1", "S1", "extra")],
            [("events.csv", 2, None, "the row has 6 cells, the header 5")],
        ),
    ],
)
def test_a_file_with_no_rows_or_a_ragged_row_gets_the_same_problem(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rows: list[tuple[str, ...]],
    problems: list[tuple[Any, ...]],
) -> None:
    path = write(tmp_path / "events.csv", HEADER, [*clean_rows(0), *rows])
    full, fast = both(path, "traffic_events", tmp_path, monkeypatch)
    assert fast == full and fast[0] == problems
