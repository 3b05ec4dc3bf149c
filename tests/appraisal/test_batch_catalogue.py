"""The warehouse's batch catalogue in the application database (issue 13): every server reads and
writes the same one, one writer at a time (a PostgreSQL advisory lock; on SQLite the home's lock
file), each change one transaction. Run on SQLite and, with SHOPKPI_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from django.db import connections
from pytest_django.fixtures import Settings

from shopkpi.appraisal.importing.batch_catalogue import DatabaseCatalogue
from shopkpi.appraisal.importing.imports import ImportRequest, run_import
from shopkpi.appraisal.models import AuditEntry, WarehouseBatch
from shopkpi.data.warehouse.batch_catalogue import BatchRecord, catalogue_for, snapshot
from shopkpi.data.warehouse.catalogue import Warehouse
from shopkpi.data.warehouse.local_catalogue import LocalCatalogue


def _batch(seq: int, accounts: tuple[str | None, ...] = ("S1",), **fields: object) -> BatchRecord:
    values: dict[str, object] = {
        "seq": seq,
        "id": f"shop_daily-{seq}",
        "dataset": "shop_daily",
        "file_name": f"店铺{seq}.csv",
        "sha256": f"{seq:064d}",
        "profile": "sycm-shop",
        "row_count": 3,
        "imported_by": "hr",
        "imported_at": dt.datetime(2026, 10, 1, 9, 30, 15),  # the company's wall clock, no zone
        "replaced_by": None,
        "period": "2026-09",
        "path": f"shop_daily/shop_daily-{seq}.parquet",
        "scope_from": dt.date(2026, 9, 1),
        "scope_to": dt.date(2026, 9, 30),
        "state": "current",
        "sheet": None,
    }
    return BatchRecord(**(values | fields), accounts=accounts)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_the_applications_home_has_its_catalogue_in_the_database(settings: Settings, tmp_path: Path) -> None:
    settings.HOME = tmp_path / "home"
    assert isinstance(catalogue_for(settings.HOME), DatabaseCatalogue)
    assert isinstance(Warehouse(settings.HOME).catalogue, DatabaseCatalogue)
    # another home (a backup being read, the data layer used alone) keeps its file
    assert isinstance(catalogue_for(tmp_path / "other"), LocalCatalogue)


@pytest.mark.django_db
def test_batches_are_stored_and_read_back_as_they_were(settings: Settings, tmp_path: Path) -> None:
    settings.HOME = tmp_path / "home"
    catalogue = DatabaseCatalogue(settings.HOME)
    assert not catalogue.exists()
    first, second = _batch(1, ("S1", None)), _batch(2, ("S1",), sheet="九月", scope_from=None, scope_to=None)
    catalogue.add([first], {})
    catalogue.add([second], {first.id: second.id})
    con = snapshot(catalogue)
    rows = con.execute("SELECT * FROM batches ORDER BY seq").fetchall()
    assert rows == [
        (*first.values()[:9], "shop_daily-2", *first.values()[10:]),
        tuple(second.values()),
    ]
    assert rows[0][8] == dt.datetime(2026, 10, 1, 9, 30, 15)  # the wall clock, whatever the server's zone
    assert sorted(con.execute("SELECT * FROM batch_accounts").fetchall(), key=str) == sorted(
        [("shop_daily-1", "S1"), ("shop_daily-1", None), ("shop_daily-2", "S1")], key=str
    )
    # a removed batch takes its accounts with it, and no longer replaces anything
    assert catalogue.set_states({second.id: None}) == [second.path]
    assert catalogue.set_states({first.id: "withdrawn"}) == []
    assert list(WarehouseBatch.objects.values_list("id", "state", "replaced_by")) == [
        ("shop_daily-1", "withdrawn", None)
    ]
    assert catalogue.paths() == [first.path]
    assert snapshot(catalogue).execute("SELECT count(*) FROM batch_accounts").fetchall() == [(2,)]


@pytest.mark.django_db(transaction=True)
def test_the_lock_is_one_writer_at_a_time_across_connections(settings: Settings, tmp_path: Path) -> None:
    settings.HOME = tmp_path / "home"
    catalogue = DatabaseCatalogue(settings.HOME)
    answers: list[bool] = []

    def elsewhere() -> None:  # another thread: its own database connection, as another server has
        try:
            with catalogue.try_held() as held:
                answers.append(held)
        finally:
            connections.close_all()

    waited: list[str] = []
    with catalogue.held(on_wait=lambda: waited.append("waited")):
        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert answers == [False, True]
    assert waited == []


@pytest.mark.django_db(transaction=True)
def test_two_servers_importing_one_file_at_once_make_one_batch_current(
    settings: Settings, tmp_path: Path
) -> None:
    settings.HOME = tmp_path / "home"
    path = tmp_path / "店铺.csv"
    path.write_text("shop,date,uv,gmv\nS1,2026-09-01,10,100\nS2,2026-09-01,5,50\n", encoding="utf-8")
    start = threading.Barrier(2)
    statuses: list[str] = []

    def server() -> None:
        try:
            start.wait()
            request = ImportRequest(
                files=(path,), user="hr", dataset="shop_daily", period="2026-09", accept_warnings=True
            )
            statuses.extend(o.status for o in run_import(settings.HOME, request).outcomes)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=server) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == ["imported", "unchanged"]
    assert list(WarehouseBatch.objects.values_list("state", flat=True)) == ["current"]
    assert AuditEntry.objects.filter(action="data.import").count() == 1
    con = Warehouse(settings.HOME).connect()
    assert con.execute("SELECT shop, uv FROM shop_daily ORDER BY shop").fetchall() == [("S1", 10), ("S2", 5)]


@pytest.mark.django_db(transaction=True)
def test_an_import_commits_over_what_another_server_committed_after_it_read_the_catalogue(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commit makes its copy of the catalogue again, in the import's connection, under the lock: a
    batch another server committed between this import's reading and its commit is seen (replaced
    here, its files kept)."""
    settings.HOME = tmp_path / "home"

    def request(name: str, uv: int) -> ImportRequest:
        path = tmp_path / name
        path.write_text(f"shop,date,uv,gmv\nS1,2026-09-01,{uv},100\n", encoding="utf-8")
        return ImportRequest(
            files=(path,), user="hr", dataset="shop_daily", period="2026-09", accept_warnings=True
        )

    [first] = run_import(settings.HOME, request("first.csv", 1)).outcomes
    commit, theirs, started = Warehouse.commit, [], []

    def elsewhere() -> None:
        try:
            theirs.extend(run_import(settings.HOME, request("theirs.csv", 2)).outcomes)
        finally:
            connections.close_all()

    def commit_after_theirs(self: Warehouse, *args: object, **kwargs: object) -> object:
        if not started:  # ours: read and checked already; another server imports and commits now
            started.append(True)
            thread = threading.Thread(target=elsewhere)
            thread.start()
            thread.join()
        return commit(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Warehouse, "commit", commit_after_theirs)
    [ours] = run_import(settings.HOME, request("ours.csv", 3)).outcomes
    [their] = theirs
    assert (their.status, their.replaced) == ("imported", (first.batch,))
    assert (ours.status, ours.replaced) == ("imported", (their.batch,))
    assert list(WarehouseBatch.objects.order_by("seq").values_list("file_name", "replaced_by", "state")) == [
        ("first.csv", their.batch, "current"),
        ("theirs.csv", ours.batch, "current"),
        ("ours.csv", None, "current"),
    ]
    assert AuditEntry.objects.filter(action="data.import").count() == 3
    for batch in (first.batch, their.batch, ours.batch):  # none taken for a file no batch names
        assert (settings.HOME / "warehouse" / "shop_daily" / f"{batch}.parquet").is_file()
    con = Warehouse(settings.HOME).connect()
    assert con.execute("SELECT shop, uv, _batch FROM shop_daily").fetchall() == [("S1", 3, ours.batch)]
