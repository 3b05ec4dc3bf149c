"""The warehouse with its batch files in S3-compatible object storage (SHOPKPI_STORE_URL=s3://…), against
a local S3 server (moto's, from PyPI, on 127.0.0.1): imports place their files there and nowhere in the
home, readers see the same rows as from a folder (a partly replaced batch filtered, roll-ups read from
their companions), orphan objects are removed by the catalogue's state, and a backup copies the objects."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_builders import write_csv

from shopkpi.data.imports.importer import import_files
from shopkpi.data.warehouse import rollups
from shopkpi.data.warehouse.batch_store import BadStore, LocalStore, ObjectStore, open_store
from shopkpi.data.warehouse.catalogue import Warehouse


@pytest.fixture
def store_env(s3_store: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    """This process's settings name a store of the test's own in the local S3 server."""
    for name, value in s3_store.items():
        monkeypatch.setenv(name, value)
    return s3_store["SHOPKPI_STORE_URL"]


def objects(_store: str) -> list[str]:
    """The batch files in the store the settings name."""
    return open_store(Path("/nowhere")).files()


def shop(path: Path, rows: list[list[str]]) -> Path:
    return write_csv(path, [["shop", "date", "uv", "gmv"], *rows])


def test_imports_place_their_files_in_the_bucket_and_readers_see_current_rows(
    tmp_path: Path, store_env: str
) -> None:
    home = tmp_path / "home"
    [first] = import_files(
        home,
        "shop_daily",
        [shop(tmp_path / "oct.csv", [["A", "2026-10-01", "10", "100"], ["B", "2026-10-01", "5", "50"]])],
    )
    # a correction of shop A only: the first batch is partly replaced, B's row still counts
    [fix] = import_files(home, "shop_daily", [shop(tmp_path / "fix.csv", [["A", "2026-10-01", "99", "990"]])])
    assert fix.partly_replaced == (first.batch,)
    assert objects(store_env) == sorted(
        [f"shop_daily/{first.batch}.parquet", f"shop_daily/{fix.batch}.parquet"]
    )
    assert not list((home / "warehouse").glob("*/*.parquet"))  # nothing of the data in the home
    con = Warehouse(home).connect()
    try:
        rows = con.execute("SELECT shop, uv, gmv, _batch FROM shop_daily ORDER BY shop").fetchall()
    finally:
        con.close()
    assert [(s, u, float(g), b) for s, u, g, b in rows] == [
        ("A", 99, 990.0, fix.batch),
        ("B", 5, 50.0, first.batch),
    ]


def test_a_roll_up_is_read_from_its_companion_object(tmp_path: Path, store_env: str) -> None:
    home = tmp_path / "home"
    header = ["user", "ts", "behavior", "item", "category", "shop"]
    path = write_csv(
        tmp_path / "events.csv",
        [
            header,
            ["u1", "2026-10-01 09:00:00", "pv", "i1", "c1", "S1"],
            ["u1", "2026-10-01 10:00:00", "pv", "i1", "c1", "S1"],
            ["u2", "2026-10-02 09:00:00", "buy", "i1", "c1", "S1"],
        ],
    )
    [outcome] = import_files(home, "traffic_events", [path])
    assert rollups.companion(f"traffic_events/{outcome.batch}.parquet") in objects(store_env)
    con = Warehouse(home).connect()
    try:
        stored = con.execute(
            'SELECT shop, ts, "user", behavior, _n FROM _rollup_traffic_events ORDER BY ALL'
        ).fetchall()
    finally:
        con.close()
    # u1's two page views on the 1st are one row of two; u2's purchase on the 2nd one of one
    assert [(s, str(d), u, b, n) for s, d, u, b, n in stored] == [
        ("S1", "2026-10-01", "u1", "pv", 2),
        ("S1", "2026-10-02", "u2", "buy", 1),
    ]


def test_orphan_objects_are_removed_by_the_catalogue_and_a_backup_copies_the_rest(
    tmp_path: Path, store_env: str
) -> None:
    home = tmp_path / "home"
    [kept] = import_files(home, "shop_daily", [shop(tmp_path / "a.csv", [["A", "2026-10-01", "1", "1"]])])
    store = open_store(home)
    assert isinstance(store, ObjectStore)
    orphan = tmp_path / "orphan.parquet"
    orphan.write_bytes(b"PAR1")
    store.put(orphan, "shop_daily/shop_daily-crashed.parquet")  # placed, then the process died
    assert Warehouse(home).recover() == ["shop_daily/shop_daily-crashed.parquet"]
    assert objects(store_env) == [f"shop_daily/{kept.batch}.parquet"]
    warehouse = Warehouse(home)
    with warehouse.held():
        copied = warehouse.copy_locked(tmp_path / "backup")
    assert copied == ["catalogue.duckdb", f"shop_daily/{kept.batch}.parquet"]
    assert (tmp_path / "backup" / "shop_daily" / f"{kept.batch}.parquet").read_bytes()[:4] == b"PAR1"


def test_the_store_url_is_checked() -> None:
    home = Path("/srv/shopkpi")
    assert isinstance(open_store(home, {}), LocalStore) and open_store(home, {}).uri("d/b.parquet") == (
        "/srv/shopkpi/warehouse/d/b.parquet"
    )
    folder = open_store(home, {"SHOPKPI_STORE_URL": "file:///mnt/batches"})
    assert isinstance(folder, LocalStore) and folder.uri("d/b.parquet") == "/mnt/batches/d/b.parquet"
    with pytest.raises(BadStore, match="SHOPKPI_STORE_URL: 'ftp://x/y' is not a store shopkpi knows"):
        open_store(home, {"SHOPKPI_STORE_URL": "ftp://x/y"})


@pytest.mark.parametrize("kind", ["folder", "object storage"])
def test_a_stores_files_under_a_folder_are_listed_with_their_age_and_the_clean_up_leaves_them(
    tmp_path: Path, s3_store: dict[str, str], kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the uploads waiting for a job are swept by (their age); the batch files' clean-up, which
    removes files no batch names, never touches them (they are two folders deep)."""
    import time

    settings = s3_store if kind == "object storage" else {"SHOPKPI_STORE_URL": (tmp_path / "store").as_uri()}
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    store = open_store(tmp_path / "home")
    upload = tmp_path / "店铺.csv"
    upload.write_text("shop,date,uv,gmv\n", encoding="utf-8")
    before = time.time() - 5
    store.put(upload, "import-uploads/job1/店铺.csv")
    [(relative, modified)] = store.aged("import-uploads")
    assert relative == "import-uploads/job1/店铺.csv"
    assert before <= modified <= time.time() + 5
    assert store.files() == []  # not a batch file: `recover` leaves it
    store.remove(relative)
    assert store.aged("import-uploads") == []
