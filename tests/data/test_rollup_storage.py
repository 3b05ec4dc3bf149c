"""The clickstream roll-up: written with its batch, replaced like it, recovered like it, not a dataset."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pytest
from export_builders import write_csv

from shopkpi.data.imports.importer import import_files
from shopkpi.data.metrics.catalogue import MetricCatalogueError, catalogue_from_texts, dataset_schema
from shopkpi.data.metrics.sql_guard import SqlRefused, checked_select
from shopkpi.data.warehouse.catalogue import Warehouse

HEADER = ["user", "ts", "behavior", "item", "category", "shop"]
D1, D2 = dt.date(2026, 10, 1), dt.date(2026, 10, 2)
ROLLUP_ROWS = 'SELECT shop, ts, "user", behavior, _n, _batch FROM _rollup_traffic_events ORDER BY ALL'
# the same thing computed here from the current rows, independently of the roll-up files
GROUPED_ROWS = (
    'SELECT shop, CAST(ts AS DATE), "user", behavior, count(*), _batch FROM traffic_events '
    "GROUP BY ALL ORDER BY ALL"
)


def events(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """(user, ts, behavior, shop) rows as a canonical traffic_events CSV."""
    return write_csv(path, [HEADER, *([u, ts, b, "i1", "c1", shop] for u, ts, b, shop in rows)])


def read(home: Path, sql: str) -> list[tuple[object, ...]]:
    con = Warehouse(home).connect()
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def files(home: Path) -> dict[str, str]:
    root = home / "warehouse"
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*.parquet"))
    }


FIRST = [
    ("u1", "2026-10-01 09:00:00", "pv", "S1"),
    ("u1", "2026-10-01 10:00:00", "pv", "S1"),
    ("u1", "2026-10-01 11:00:00", "buy", "S1"),
    ("u2", "2026-10-02 09:00:00", "pv", "S1"),
    ("u3", "2026-10-01 12:00:00", "pv", "S2"),
]


def test_a_batch_is_committed_with_its_roll_up_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    [first] = import_files(home, "traffic_events", [events(tmp_path / "oct.csv", FIRST)])
    companion = home / "warehouse" / "traffic_events.rollup" / f"{first.batch}.parquet"
    assert set(files(home)) >= {
        f"traffic_events/{first.batch}.parquet",
        f"traffic_events.rollup/{first.batch}.parquet",
    }
    stored = duckdb.sql(
        f"SELECT shop, ts, \"user\", behavior, _n, _batch FROM read_parquet('{companion}') ORDER BY ALL"
    ).fetchall()
    b = first.batch
    assert stored == [  # u1's two page views on the 1st are one row counting 2
        ("S1", D1, "u1", "buy", 1, b),
        ("S1", D1, "u1", "pv", 2, b),
        ("S1", D2, "u2", "pv", 1, b),
        ("S2", D1, "u3", "pv", 1, b),
    ]
    assert read(home, ROLLUP_ROWS) == stored
    # datasets without a roll-up have no companion
    write_csv(tmp_path / "shops.csv", [["shop", "date", "uv"], ["S1", "2026-10-01", "3"]])
    import_files(home, "shop_daily", [tmp_path / "shops.csv"])
    assert not (home / "warehouse" / "shop_daily.rollup").exists()


def test_the_roll_up_is_replaced_partly_and_wholly_like_its_batch(tmp_path: Path) -> None:
    home = tmp_path / "home"
    [first] = import_files(home, "traffic_events", [events(tmp_path / "a.csv", FIRST)])
    # S1 on the 2nd is corrected: u2's page view gives way to u4's
    [second] = import_files(
        home, "traffic_events", [events(tmp_path / "b.csv", [("u4", "2026-10-02 08:00:00", "pv", "S1")])]
    )
    assert second.partly_replaced == (first.batch,)
    assert read(home, ROLLUP_ROWS) == [
        ("S1", D1, "u1", "buy", 1, first.batch),
        ("S1", D1, "u1", "pv", 2, first.batch),
        ("S1", D2, "u4", "pv", 1, second.batch),
        ("S2", D1, "u3", "pv", 1, first.batch),
    ]
    assert read(home, ROLLUP_ROWS) == read(home, GROUPED_ROWS)
    # both shops on both days: every earlier row is replaced
    both = [("u5", "2026-10-01 08:00:00", "cart", "S1"), ("u6", "2026-10-02 08:00:00", "fav", "S2")]
    [third] = import_files(home, "traffic_events", [events(tmp_path / "c.csv", both)])
    assert set(third.replaced) == {first.batch, second.batch}
    assert read(home, ROLLUP_ROWS) == [
        ("S1", D1, "u5", "cart", 1, third.batch),
        ("S2", D2, "u6", "fav", 1, third.batch),
    ]
    assert read(home, ROLLUP_ROWS) == read(home, GROUPED_ROWS)


def test_a_batch_without_its_roll_up_file_is_grouped_from_its_rows(tmp_path: Path) -> None:
    """A warehouse imported before roll-ups existed: its batches have no companion, readers group the rows."""
    home = tmp_path / "home"
    [first] = import_files(home, "traffic_events", [events(tmp_path / "a.csv", FIRST)])
    import_files(
        home, "traffic_events", [events(tmp_path / "b.csv", [("u4", "2026-10-02 08:00:00", "pv", "S1")])]
    )
    with_files = read(home, ROLLUP_ROWS)
    (home / "warehouse" / "traffic_events.rollup" / f"{first.batch}.parquet").unlink()  # partly replaced
    assert read(home, ROLLUP_ROWS) == with_files
    for companion in (home / "warehouse" / "traffic_events.rollup").iterdir():
        companion.unlink()
    assert read(home, ROLLUP_ROWS) == with_files == read(home, GROUPED_ROWS)
    # and the next commit leaves them as they are (it neither needs nor removes them)
    import_files(
        home, "traffic_events", [events(tmp_path / "c.csv", [("u9", "2026-10-05 08:00:00", "pv", "S3")])]
    )
    assert read(home, ROLLUP_ROWS) == read(home, GROUPED_ROWS)


def test_an_empty_warehouse_has_an_empty_typed_roll_up(tmp_path: Path) -> None:
    con = Warehouse(tmp_path).connect()
    assert con.execute("SELECT count(*) FROM _rollup_traffic_events").fetchone() == (0,)
    described = {r[0]: r[1] for r in con.execute("DESCRIBE _rollup_traffic_events").fetchall()}
    assert described == {
        "shop": "VARCHAR",
        "ts": "DATE",
        "user": "VARCHAR",
        "behavior": "VARCHAR",
        "_n": "BIGINT",
        "_batch": "VARCHAR",
    }


def test_a_failed_commit_leaves_no_roll_up_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    import_files(home, "traffic_events", [events(tmp_path / "a.csv", FIRST)])
    before = files(home)

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Warehouse, "_record_all", fail)
    with pytest.raises(OSError, match="disk full"):
        import_files(
            home, "traffic_events", [events(tmp_path / "b.csv", [("u7", "2026-10-03 08:00:00", "pv", "S1")])]
        )
    assert files(home) == before


def test_recover_removes_roll_up_files_no_batch_names_and_keeps_the_others(tmp_path: Path) -> None:
    home = tmp_path / "home"
    import_files(home, "traffic_events", [events(tmp_path / "a.csv", FIRST)])
    before = files(home)
    orphan = home / "warehouse" / "traffic_events.rollup" / "traffic_events-crashed.parquet"
    orphan.write_bytes(b"PAR1")  # a crash after the rename, before the catalogue commit
    assert Warehouse(home).recover() == [
        "traffic_events.rollup/traffic_events-crashed.parquet"
    ]  # named by its path in the store
    assert files(home) == before


def test_the_roll_up_is_not_a_dataset_metric_sql_may_name() -> None:
    sql = "SELECT shop AS account, ts AS date, sum(_n) AS value FROM _rollup_traffic_events GROUP BY 1, 2"
    with pytest.raises(SqlRefused, match="unknown table '_rollup_traffic_events'"):
        checked_select(sql, subject="metric sneaky", schema=dataset_schema())
    labels = "label_zh: x\n    label: x\n    definition: x\n    definition_zh: x"
    text = f'metrics:\n  sneaky:\n    type: query\n    by: shop\n    {labels}\n    sql: "{sql}"\n'
    with pytest.raises(MetricCatalogueError, match="unknown table '_rollup_traffic_events'"):
        catalogue_from_texts([("shipped.yaml", "metrics: {}"), ("user.yaml", text)])
