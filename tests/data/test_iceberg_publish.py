"""`shopkpi warehouse publish --to iceberg+postgresql://…` (issue 13): each dataset's current rows, with
their batch, as Apache Iceberg tables in pyiceberg's SQL catalogue, kept in a PostgreSQL database of this
test's own (SHOPKPI_TEST_DATABASE_URL's server, or postgres@127.0.0.1:5432, created and dropped here),
their files in a temporary folder or in a local S3 server (moto's). Every table is read back with
pyiceberg, not with shopkpi, and compared with the warehouse's rows. With CI=true nothing here skips."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
import pytest
from click.testing import CliRunner
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.table.snapshots import Operation
from pyiceberg.types import NestedField, StringType

from shopkpi.cli.main import cli
from shopkpi.data.datasets import DATASETS
from shopkpi.data.engines import EngineError, open_engine
from shopkpi.data.engines.iceberg_target import iceberg_schema
from shopkpi.data.engines.publish import publish
from shopkpi.data.warehouse.catalogue import Warehouse
from shopkpi.synth.warehouse_load import load_warehouse

SERVER = os.environ.get("SHOPKPI_TEST_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
PUBLISHED = sorted(name for name, dataset in DATASETS.items() if not dataset.organisation)


@pytest.fixture(scope="module")
def admin() -> Iterator[psycopg.Connection[Any]]:
    try:
        connection = psycopg.connect(SERVER.replace("postgres://", "postgresql://", 1), autocommit=True)
    except psycopg.Error as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and no PostgreSQL server at {SERVER}: {error}")
        pytest.skip(f"no PostgreSQL server at {SERVER}: {error}")
    yield connection
    connection.close()


@pytest.fixture
def database(admin: psycopg.Connection[Any]) -> Iterator[str]:
    """A database of this test's own on the server: its postgresql:// URL (with the server's password)."""
    name = f"shopkpi_iceberg_{uuid.uuid4().hex[:8]}"
    admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{SERVER.rsplit('/', 1)[0]}/{name}".replace("postgres://", "postgresql://", 1)
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A small synthetic company's warehouse (two cs_daily batches among its datasets)."""
    load_warehouse(tmp_path / "home", 10, 1, 11, events_rows=200)
    return tmp_path / "home"


def warehouse_rows(home: Path, dataset: str) -> pa.Table:
    names = ", ".join(f'"{name}"' for name in (*DATASETS[dataset].column_names, "_batch"))
    connection = Warehouse(home).connect()
    try:
        return connection.sql(f'SELECT {names} FROM "{dataset}"').to_arrow_table()
    finally:
        connection.close()


def catalogue(database: str) -> SqlCatalog:
    """The catalogue read the way any pyiceberg user would (the folder or bucket is in its rows)."""
    return SqlCatalog("shopkpi", uri=database.replace("postgresql://", "postgresql+psycopg://", 1))


def rows(table: pa.Table) -> list[tuple[Any, ...]]:
    return sorted((tuple(row.values()) for row in table.to_pylist()), key=repr)


def assert_same(read: pa.Table, held: pa.Table, dataset: str) -> None:
    assert read.column_names == held.column_names, dataset
    for field in held.schema:  # the same types; text comes back as Arrow's large_string
        expected = pa.large_string() if field.type == pa.string() else field.type
        assert read.schema.field(field.name).type == expected, (dataset, field.name)
    assert rows(read) == rows(held), dataset


def appends(table: Table) -> list[int]:
    return [s.snapshot_id for s in table.snapshots() if s.summary and s.summary.operation == Operation.APPEND]


def test_every_dataset_reads_back_as_the_warehouse_holds_it(home: Path, database: str) -> None:
    published = {
        p.dataset: p for p in publish(home, f"iceberg+{database}?warehouse={(home / 'ice').as_uri()}")
    }
    assert sorted(published) == PUBLISHED
    read = catalogue(database)
    assert sorted(name for _, name in read.list_tables("shopkpi")) == PUBLISHED
    for dataset in PUBLISHED:
        table = read.load_table(("shopkpi", dataset))
        assert table.location().startswith((home / "ice").as_uri())
        held = warehouse_rows(home, dataset)
        assert published[dataset].rows == held.num_rows
        assert_same(table.scan().to_arrow(), held, dataset)
    # the types by hand: money keeps its two decimals, a number its ten, a timestamp has no zone
    shop_daily = read.load_table(("shopkpi", "shop_daily")).scan().to_arrow()
    assert shop_daily.num_rows == 124 and shop_daily.schema.field("gmv").type == pa.decimal128(18, 2)
    gmv = shop_daily.column("gmv").to_pylist()
    assert all(isinstance(v, Decimal) and v.as_tuple().exponent == -2 for v in gmv if v is not None)
    targets = read.load_table(("shopkpi", "targets")).scan().to_arrow()
    assert targets.num_rows > 0 and targets.schema.field("value").type == pa.decimal128(38, 10)
    events = read.load_table(("shopkpi", "traffic_events")).scan().to_arrow()
    assert events.num_rows == 200 and events.schema.field("ts").type == pa.timestamp("us")
    assert (
        isinstance(events.column("ts")[0].as_py(), dt.datetime)
        and events.column("ts")[0].as_py().tzinfo is None
    )
    assert {b.split("-")[0] for b in events.column("_batch").to_pylist()} == {"traffic_events"}


def test_a_second_publish_is_a_new_snapshot_and_the_history_keeps_the_first(
    home: Path, database: str
) -> None:
    url = f"iceberg+{database}"  # the files in <home>/published/iceberg
    publish(home, url)
    before = warehouse_rows(home, "cs_daily")
    batches = sorted(set(before.column("_batch").to_pylist()))
    assert len(batches) == 2
    Warehouse(home).withdraw(batches[0], lambda _: None)
    after = warehouse_rows(home, "cs_daily")
    assert set(after.column("_batch").to_pylist()) == {batches[1]} and 0 < after.num_rows < before.num_rows
    again = {p.dataset: p for p in publish(home, url)}
    assert (again["cs_daily"].rows, again["cs_daily"].batches) == (after.num_rows, 1)
    table = catalogue(database).load_table(("shopkpi", "cs_daily"))
    assert table.location().startswith((home / "published" / "iceberg").as_uri())
    assert_same(table.scan().to_arrow(), after, "cs_daily")
    first, second = appends(table)  # each publish one commit: its rows appended, what it replaced deleted
    current = table.current_snapshot()
    assert current is not None and current.snapshot_id == second
    assert_same(table.scan(snapshot_id=first).to_arrow(), before, "cs_daily")
    shop_daily = catalogue(database).load_table(("shopkpi", "shop_daily"))
    assert (
        len(appends(shop_daily)) == 2 and shop_daily.scan().to_arrow().num_rows == 124
    )  # replaced, not added


def test_a_table_made_by_an_earlier_version_takes_the_registrys_columns(home: Path, database: str) -> None:
    url = f"iceberg+{database}?warehouse={(home / 'ice').as_uri()}"
    current = iceberg_schema(DATASETS["shop_daily"])
    earlier = Schema(
        *(f for f in current.fields if f.name != "gmv"),
        NestedField(len(current.fields) + 1, "retired", StringType(), required=False),
    )
    read = catalogue(database)
    read.create_namespace("shopkpi")
    read.create_table(("shopkpi", "shop_daily"), earlier, location=(home / "ice" / "shop_daily").as_uri())
    publish(home, url)
    table = read.load_table(("shopkpi", "shop_daily"))
    got, held = table.scan().to_arrow(), warehouse_rows(home, "shop_daily")
    assert got.column_names[-2:] == ["retired", "gmv"]  # the gained column added last
    assert got.column("retired").null_count == got.num_rows == held.num_rows == 124
    assert_same(got.select(held.column_names), held, "shop_daily")


def test_the_files_can_go_to_s3_compatible_storage(
    home: Path, database: str, s3_store: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in s3_store.items():
        if name != "SHOPKPI_STORE_URL":  # the warehouse stays in the home; only the Iceberg files go to S3
            monkeypatch.setenv(name, value)
    place = s3_store["SHOPKPI_STORE_URL"] + "/iceberg"
    publish(home, f"iceberg+{database}?warehouse={place}&namespace=shop_data")
    read = SqlCatalog(
        "shopkpi",
        uri=database.replace("postgresql://", "postgresql+psycopg://", 1),
        **{"s3.endpoint": s3_store["SHOPKPI_STORE_ENDPOINT"], "s3.region": "us-east-1"},
    )
    for dataset in ("shop_daily", "traffic_events"):
        table = read.load_table(("shop_data", dataset))
        assert table.location().startswith(place)
        assert_same(table.scan().to_arrow(), warehouse_rows(home, dataset), dataset)
    import s3fs

    files = s3fs.S3FileSystem(
        key="shopkpi", secret="shopkpi-secret", endpoint_url=s3_store["SHOPKPI_STORE_ENDPOINT"]
    ).find(place)
    assert any(f.endswith(".parquet") for f in files) and any(f.endswith(".metadata.json") for f in files)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("/", "name the catalogue's PostgreSQL database"),
        ("/{db}?colour=blue", "only warehouse= and namespace= may follow '?'"),
        ("/{db}?warehouse=", "only warehouse= and namespace= may follow '?'"),
        ("/{db}?warehouse=ftp://files/iceberg", "is not a place for the tables' files"),
        ("/{db}?namespace=a.b", "namespace 'a.b' must be letters, digits and _"),
    ],
)
def test_a_wrong_url_is_refused_and_nothing_is_written(
    tmp_path: Path, database: str, query: str, message: str
) -> None:
    home = tmp_path / "home"
    place = database.rsplit("/", 1)[0]
    url = "iceberg+" + place + query.format(db=database.rsplit("/", 1)[1])
    with pytest.raises(EngineError, match=message.replace("(", r"\(").replace("?", r"\?")) as refused:
        publish(home, url)
    assert "; give " in str(refused.value)  # and what to give instead
    assert_untouched(home, database)


def test_an_unreachable_catalogue_is_named_and_nothing_is_written(tmp_path: Path, database: str) -> None:
    home = tmp_path / "home"
    with socket.socket() as probe:  # a port no server listens on
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    url = f"iceberg+postgresql://shopkpi:secret-word@127.0.0.1:{port}/nowhere"
    with pytest.raises(EngineError) as refused:
        publish(home, url)
    text = str(refused.value)
    assert text.startswith(f"the Iceberg catalogue at iceberg+postgresql://shopkpi@127.0.0.1:{port}/nowhere ")
    assert "cannot be reached" in text and "secret-word" not in text
    assert_untouched(home, database)


def assert_untouched(home: Path, database: str) -> None:
    assert not home.exists()
    with psycopg.connect(database) as connection:
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    assert tables == []


@pytest.mark.django_db  # the command sets its home up (the application database's migrations checked)
def test_the_command_publishes_and_iceberg_is_no_metric_engine(
    home: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = CliRunner().invoke(
        cli, ["--home", str(home), "warehouse", "publish", "--to", f"iceberg+{database}"]
    )
    assert result.exit_code == 0, result.output
    assert "shop_daily: 124 rows, 1 batches" in result.stdout and "cs_daily: " in result.stdout
    assert catalogue(database).load_table(("shopkpi", "shop_daily")).scan().to_arrow().num_rows == 124
    with pytest.raises(EngineError, match="Apache Iceberg is a place to publish to"):
        open_engine(f"iceberg+{database}", home)


def test_pyiceberg_is_imported_only_for_an_iceberg_publish() -> None:
    code = (
        "import sys; import shopkpi.cli.main, shopkpi.data.engines.publish, shopkpi.data.metrics.computation; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pyiceberg', 'sqlalchemy'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
