"""The warehouse: provenance, idempotency, replacement with history, refusals that change nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from export_builders import write_csv

from shopkpi.data.datasets import DATASETS
from shopkpi.data.imports.importer import import_files
from shopkpi.data.problems import ImportRefused
from shopkpi.data.warehouse.batch_catalogue import BATCH_COLUMNS, BATCH_TYPES, SNAPSHOT_SCHEMA, insert_rows
from shopkpi.data.warehouse.catalogue import Warehouse

HEADER = ["shop", "date", "uv", "gmv"]


def snapshot(home: Path) -> dict[str, str]:
    """Every file under home with its checksum (the warehouse directory listing and contents)."""
    return {
        p.relative_to(home).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file()
    }


def catalogue(home: Path) -> list[tuple[object, ...]]:
    con = Warehouse(home).connect()
    return con.execute("SELECT * FROM batches ORDER BY seq").fetchall()


def current(home: Path, sql: str) -> list[tuple[object, ...]]:
    return Warehouse(home).connect().execute(sql).fetchall()


def shop_file(path: Path, rows: list[list[object]]) -> Path:
    return write_csv(path, [HEADER, *rows])


def test_an_empty_warehouse_has_every_view_with_its_columns(tmp_path: Path) -> None:
    con = Warehouse(tmp_path).connect()
    for name, ds in DATASETS.items():
        if ds.organisation:  # registered by each computation from the application's snapshot
            assert not con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
            ).fetchone()[0]  # type: ignore[index]
            continue
        assert con.execute(f"SELECT count(*) FROM {name}").fetchone() == (0,)
        assert [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()] == [
            *ds.column_names,
            "_batch",
            "_row",
        ]
    assert con.execute("SELECT count(*) FROM batches").fetchone() == (0,)
    assert not (tmp_path / "warehouse").exists()


def test_a_batch_records_its_provenance(tmp_path: Path) -> None:
    path = shop_file(
        tmp_path / "shops.csv", [["A", "2026-10-01", "10", "1.50"], ["B", "2026-10-01", "20", "2"]]
    )
    before = dt.datetime.now().replace(microsecond=0)
    [outcome] = import_files(tmp_path / "home", "shop_daily", [path], period="2026-10", user="hr-wang")
    [batch] = catalogue(tmp_path / "home")
    names = ["seq", "id", "dataset", "file_name", "sha256", "profile", "row_count", "imported_by", "imported_at",
             "replaced_by", "period", "path", "scope_from", "scope_to", "state", "sheet"]  # fmt: skip
    record = dict(zip(names, batch, strict=True))
    assert record["id"] == outcome.batch
    assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (record["dataset"], record["file_name"], record["profile"]) == (
        "shop_daily",
        "shops.csv",
        "canonical",
    )
    assert (record["row_count"], record["imported_by"], record["period"]) == (2, "hr-wang", "2026-10")
    assert before <= record["imported_at"] <= dt.datetime.now()
    assert record["replaced_by"] is None and record["state"] == "current" and record["sheet"] is None  # a CSV
    assert (tmp_path / "home" / "warehouse" / str(record["path"])).is_file()
    assert current(tmp_path / "home", "SELECT DISTINCT _batch FROM shop_daily") == [(outcome.batch,)]


def test_the_same_file_again_changes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = shop_file(tmp_path / "shops.csv", [["A", "2026-10-01", "10", "1.50"]])
    [first] = import_files(home, "shop_daily", [path])
    before, rows = snapshot(home), catalogue(home)
    [again] = import_files(home, "shop_daily", [path])
    assert (again.status, again.batch) == ("unchanged", first.batch)
    assert snapshot(home) == before
    assert catalogue(home) == rows
    # the same content under another name is the same file
    copy = tmp_path / "copy.csv"
    copy.write_bytes(path.read_bytes())
    outcomes = import_files(home, "shop_daily", [copy, path])
    assert [o.status for o in outcomes] == ["unchanged", "unchanged"]
    assert snapshot(home) == before


def test_a_corrected_file_replaces_rows_and_the_old_batch_stays_in_history(tmp_path: Path) -> None:
    home = tmp_path / "home"
    oct_ab = shop_file(
        tmp_path / "oct.csv",
        [["A", "2026-10-01", "10", "1"], ["A", "2026-10-02", "11", "1"], ["B", "2026-10-01", "20", "2"]],
    )
    [first] = import_files(home, "shop_daily", [oct_ab])
    # a corrected file for shop A, Oct 1-2: replaces A's rows only; B's stay from the first batch
    fix_a = shop_file(
        tmp_path / "fix-a.csv", [["A", "2026-10-01", "100", "10"], ["A", "2026-10-02", "110", "10"]]
    )
    [second] = import_files(home, "shop_daily", [fix_a])
    assert second.partly_replaced == (first.batch,) and second.replaced == ()
    assert current(home, "SELECT shop, date, uv, _batch FROM shop_daily ORDER BY shop, date") == [
        ("A", dt.date(2026, 10, 1), 100, second.batch),
        ("A", dt.date(2026, 10, 2), 110, second.batch),
        ("B", dt.date(2026, 10, 1), 20, first.batch),
    ]
    # now shop B's day is corrected too: nothing of the first batch is current any more
    fix_b = shop_file(tmp_path / "fix-b.csv", [["B", "2026-10-01", "25", "2.5"]])
    [third] = import_files(home, "shop_daily", [fix_b])
    assert third.replaced == (first.batch,)
    history = {r[1]: r[9] for r in catalogue(home)}
    assert history == {first.batch: third.batch, second.batch: None, third.batch: None}
    assert current(home, "SELECT sum(uv), sum(gmv) FROM shop_daily") == [(235, Decimal("22.50"))]
    assert all((home / "warehouse" / str(r[11])).is_file() for r in catalogue(home))  # history kept on disk


def test_a_corrected_file_for_the_same_accounts_and_dates_replaces_the_batch(tmp_path: Path) -> None:
    home = tmp_path / "home"
    old = shop_file(tmp_path / "old.csv", [["A", "2026-10-01", "10", "1"], ["A", "2026-10-03", "30", "3"]])
    new = shop_file(tmp_path / "new.csv", [["A", "2026-10-01", "12", "1"], ["A", "2026-10-03", "33", "3"]])
    [first] = import_files(home, "shop_daily", [old])
    [second] = import_files(home, "shop_daily", [new])
    assert second.replaced == (first.batch,)
    assert current(home, "SELECT sum(uv) FROM shop_daily") == [(45,)]
    # a different month of the same shop does not replace October
    nov = shop_file(tmp_path / "nov.csv", [["A", "2026-11-01", "5", "1"]])
    [third] = import_files(home, "shop_daily", [nov])
    assert third.replaced == () and third.partly_replaced == ()
    assert current(home, "SELECT sum(uv) FROM shop_daily") == [(50,)]


def test_a_refused_import_changes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    import_files(home, "shop_daily", [shop_file(tmp_path / "good.csv", [["A", "2026-10-01", "10", "1"]])])
    before, rows = snapshot(home), catalogue(home)
    good = shop_file(tmp_path / "good2.csv", [["B", "2026-10-01", "10", "1"]])
    bad = shop_file(tmp_path / "bad.csv", [["A", "2026-10-01", "ten", "1"]])
    with pytest.raises(ImportRefused) as refused:
        import_files(home, "shop_daily", [good, bad])
    assert [(p.file, p.row, p.column) for p in refused.value.problems] == [("bad.csv", 2, "uv")]
    assert snapshot(home) == before
    assert catalogue(home) == rows


def test_problems_of_every_file_are_reported_together(tmp_path: Path) -> None:
    one = shop_file(tmp_path / "one.csv", [["A", "2026-10-01", "-1", "1"]])
    two = shop_file(tmp_path / "two.csv", [["A", "2026-10-01", "1", "abc"]])
    with pytest.raises(ImportRefused) as refused:
        import_files(tmp_path / "home", "shop_daily", [one, two])
    assert [(p.file, p.column, p.reason) for p in refused.value.problems] == [
        ("one.csv", "uv", "negative count: -1"),
        ("two.csv", "gmv", "not a number: abc"),
    ]
    assert not (tmp_path / "home" / "warehouse").exists()


def test_recover_removes_parquet_files_no_batch_names(tmp_path: Path) -> None:
    home = tmp_path / "home"
    import_files(home, "shop_daily", [shop_file(tmp_path / "a.csv", [["A", "2026-10-01", "10", "1"]])])
    before = snapshot(home)
    orphan = home / "warehouse" / "shop_daily" / "shop_daily-crashed.parquet"
    orphan.write_bytes(b"PAR1")
    assert current(home, "SELECT count(*) FROM shop_daily") == [(1,)]  # readers never see it
    assert Warehouse(home).recover() == [
        "shop_daily/shop_daily-crashed.parquet"
    ]  # named by its path in the store
    assert snapshot(home) == before


def test_the_organisation_is_not_warehouse_data(tmp_path: Path) -> None:
    """employees, accounts and positions belong to the application database (the organisation service)."""
    sheet = write_csv(tmp_path / "accounts.csv", [["employee", "kind", "account"], ["E1", "shop", "旗舰店A"]])
    with pytest.raises(ImportRefused) as refused:
        import_files(tmp_path / "home", "accounts", [sheet])
    assert [(p.file, p.reason) for p in refused.value.problems] == [
        (
            "DATASET",
            "accounts is the organisation, kept in the application database: import it with "
            "`shopkpi import accounts` (the organisation service), not into the warehouse",
        )
    ]
    assert not (tmp_path / "home" / "warehouse").exists()


def test_two_copies_of_a_new_file_in_one_command_import_once(tmp_path: Path) -> None:
    path = shop_file(tmp_path / "a.csv", [["A", "2026-10-01", "10", "1"]])
    copy = tmp_path / "b.csv"
    copy.write_bytes(path.read_bytes())
    first, second = import_files(tmp_path / "home", "shop_daily", [path, copy])
    assert (first.status, second.status, second.batch) == ("imported", "unchanged", first.batch)
    assert current(tmp_path / "home", "SELECT count(*) FROM shop_daily") == [(1,)]


def test_two_files_of_one_command_for_the_same_accounts_and_days_are_refused(tmp_path: Path) -> None:
    morning = shop_file(tmp_path / "am.csv", [["A", "2026-10-01", "10", "1"], ["B", "2026-10-01", "1", "1"]])
    evening = shop_file(tmp_path / "pm.csv", [["A", "2026-10-01", "20", "2"]])
    with pytest.raises(ImportRefused) as refused:
        import_files(tmp_path / "home", "shop_daily", [morning, evening])
    [problem] = refused.value.problems
    assert problem.file == "pm.csv" and problem.reason.startswith(
        "covers the same accounts and days as am.csv (e.g. A)"
    )
    other_day = shop_file(tmp_path / "oct2.csv", [["A", "2026-10-02", "20", "2"]])
    assert [o.status for o in import_files(tmp_path / "home", "shop_daily", [morning, other_day])] == [
        "imported"
    ] * 2


def test_rows_keep_the_row_of_their_file_and_older_batches_show_none(tmp_path: Path) -> None:
    """The drill-down names each row's row in its file (`_row`, 1 = the header here); a batch written
    before imports kept it reads as NULL instead of failing the view."""
    path = tmp_path / "daily.csv"
    write_csv(path, [["shop", "date", "uv"], ["S1", "2026-10-01", "5"], ["S1", "2026-10-02", "7"]])
    import_files(tmp_path, "shop_daily", [path])
    con = Warehouse(tmp_path).connect()
    assert con.execute("SELECT date, _row FROM shop_daily ORDER BY date").fetchall() == [
        (dt.date(2026, 10, 1), 2),
        (dt.date(2026, 10, 2), 3),
    ]
    stored = next((tmp_path / "warehouse" / "shop_daily").glob("*.parquet"))
    duckdb.execute(
        f"COPY (SELECT * EXCLUDE (_row) FROM read_parquet('{stored}')) TO '{stored}.old' (FORMAT parquet)"
    )
    stored.with_suffix(".parquet.old").replace(stored)
    assert Warehouse(tmp_path).connect().execute("SELECT _row FROM shop_daily").fetchall() == [
        (None,),
        (None,),
    ]


def test_a_workbook_batch_names_its_sheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "六月日报"
    for row in (["shop", "date", "uv"], ["S1", "2026-06-01", 5]):
        sheet.append(row)
    book.save(tmp_path / "daily.xlsx")
    import_files(tmp_path, "shop_daily", [tmp_path / "daily.xlsx"])
    con = Warehouse(tmp_path).connect()
    assert con.execute("SELECT file_name, sheet FROM batches").fetchall() == [("daily.xlsx", "六月日报")]
    assert con.execute("SELECT _row FROM shop_daily").fetchall() == [(2,)]


def test_a_snapshot_takes_rows_of_every_column_type_as_given() -> None:
    con = duckdb.connect()
    con.execute(SNAPSHOT_SCHEMA)
    declared = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'batches' ORDER BY ordinal_position"
    ).fetchall()
    assert declared == list(zip(BATCH_COLUMNS, BATCH_TYPES, strict=True))
    row = [7, "b1", "orders", "a.csv", "ff", "canonical", 3, "hr", dt.datetime(2026, 10, 1, 9, 30), None]
    row += ["2026-10", "orders/b1.parquet", dt.date(2026, 10, 1), dt.date(2026, 10, 31), "current", None]
    insert_rows(con, [row, [8, "b2", *row[2:]]], [("b1", "A"), ("b1", None), ("b2", "B")])
    assert con.execute(f"SELECT {', '.join(BATCH_COLUMNS)} FROM batches ORDER BY seq").fetchall() == [
        tuple(row),
        (8, "b2", *row[2:]),
    ]
    assert con.execute("SELECT * FROM batch_accounts ORDER BY rowid").fetchall() == [
        ("b1", "A"),
        ("b1", None),
        ("b2", "B"),
    ]
