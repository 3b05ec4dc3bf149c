"""Apache Iceberg as a publish target (`iceberg+postgresql://user@host:port/db?warehouse=…&namespace=…`):
each dataset's current rows, with their batch, as an Iceberg table that Spark, Trino or ClickHouse read.

The catalogue is pyiceberg's SQL catalogue (`SqlCatalog`, catalogue name `shopkpi`) kept in the tables
`iceberg_tables` and `iceberg_namespace_properties` of that PostgreSQL database; the data and metadata
files go to `warehouse`: a folder (`file:///path`, default `<home>/published/iceberg`) or S3-compatible
object storage (`s3://bucket/prefix`, at SHOPKPI_STORE_ENDPOINT when set, with the AWS tools'
credentials). One table per dataset in the namespace (default `shopkpi`), named like the dataset, typed
from the registry (decimals keep their scale, timestamps have no zone, `_batch` is a column).

Not a metric engine: nothing computes on Iceberg here; it is a copy for other tools, never the system
of record. Each publish replaces a table's rows in one commit (pyiceberg records it as a delete
snapshot and an append snapshot), so a reader of the table sees the old rows or the new; the history
keeps the earlier snapshots. Tables are committed one after another, not all at once.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import CommitFailedException, ValidationError
from pyiceberg.schema import Schema
from pyiceberg.types import (
    DateType,
    DecimalType,
    IcebergType,
    LongType,
    NestedField,
    StringType,
    TimestampType,
)
from sqlalchemy.exc import SQLAlchemyError

from shopkpi.data.datasets import Dataset
from shopkpi.data.engines.base import EngineError, dataset_columns
from shopkpi.data.warehouse.batch_store import STORE_ENDPOINT

CATALOGUE = "shopkpi"
"""The SQL catalogue's name (the `catalog_name` of its rows): what a JDBC catalogue reading it names."""
NAMESPACE = "shopkpi"
_FAILURES = (SQLAlchemyError, CommitFailedException, ValidationError, ValueError, OSError)
"""What the catalogue database, pyiceberg or the file system raise when a publish cannot be done."""
FORM = "iceberg+postgresql://user@host:port/database?warehouse=file:///folder|s3://bucket/prefix&namespace=shopkpi"

_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")
_SCALARS: dict[str, IcebergType] = {
    "VARCHAR": StringType(),
    "BIGINT": LongType(),
    "DATE": DateType(),
    "TIMESTAMP": TimestampType(),
}


def iceberg_schema(dataset: Dataset) -> Schema:
    """The dataset's columns and `_batch` as an Iceberg schema (every field optional, ids from 1)."""
    fields = []
    for field_id, (name, duckdb_type) in enumerate(dataset_columns(dataset), start=1):
        decimal = _DECIMAL.fullmatch(duckdb_type)
        kind = DecimalType(int(decimal[1]), int(decimal[2])) if decimal else _SCALARS[duckdb_type]
        fields.append(NestedField(field_id, name, kind, required=False))
    return Schema(*fields)


class IcebergTarget:
    """The catalogue a publish URL names, reached (EngineError when the URL is wrong or it cannot be)."""

    def __init__(self, url: str, home: Path) -> None:
        catalogue, self.namespace, warehouse, properties = _parse(url, home)
        self.shown = f"the Iceberg catalogue at {_shown(url).split('?')[0]}"
        try:
            self.catalogue = SqlCatalog(CATALOGUE, uri=catalogue, warehouse=warehouse, **properties)
        except _FAILURES as error:
            raise EngineError(f"{self.shown} cannot be reached: {_first_line(error)}") from error

    def publish(self, tables: Sequence[tuple[Dataset, pa.Table]]) -> None:
        """Each dataset's table (made when missing, its schema brought up to the registry's) replaced by
        the rows given, one commit per table."""
        try:
            self.catalogue.create_namespace_if_not_exists(self.namespace)
            for dataset, rows in tables:
                schema = iceberg_schema(dataset)
                table = self.catalogue.create_table_if_not_exists((self.namespace, dataset.name), schema)
                with table.transaction() as transaction:
                    with transaction.update_schema() as update:
                        update.union_by_name(schema)
                    replaced = _as_table(rows, transaction.table_metadata.schema().as_arrow())
                    snapshot = table.current_snapshot()
                    if (
                        snapshot is None
                        or snapshot.summary is None
                        or snapshot.summary["total-records"] == "0"
                    ):
                        transaction.append(replaced)  # nothing to delete (an overwrite would warn so)
                    else:
                        transaction.overwrite(replaced)
        except _FAILURES as error:
            raise EngineError(f"publishing to {self.shown} failed: {_first_line(error)}") from error

    def close(self) -> None:
        self.catalogue.engine.dispose()


def _as_table(rows: pa.Table, schema: pa.Schema) -> pa.Table:
    """`rows` in the table's schema: its field ids and order (a column the registry gained is added
    last), null in a column the registry no longer has."""
    present = set(rows.column_names)
    columns = [
        rows.column(field.name).cast(field.type)
        if field.name in present
        else pa.nulls(rows.num_rows, field.type)
        for field in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def _parse(url: str, home: Path) -> tuple[str, str, str, dict[str, Any]]:
    """(SQLAlchemy URL of the catalogue database, namespace, warehouse location, FileIO properties)."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("iceberg+postgresql", "iceberg+postgres") or not parsed.hostname:
        raise EngineError(f"{_shown(url)}: not an Iceberg publish URL; give {FORM}")
    database = parsed.path.lstrip("/")
    if not database or "/" in database:
        raise EngineError(f"{_shown(url)}: name the catalogue's PostgreSQL database; give {FORM}")
    try:
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True, strict_parsing=bool(parsed.query))
    except ValueError as error:
        raise EngineError(f"{_shown(url)}: {error}; give {FORM}") from error
    unknown = sorted(set(query) - {"warehouse", "namespace"})
    if unknown or any(len(values) != 1 or not values[0] for values in query.values()):
        raise EngineError(
            f"{_shown(url)}: only warehouse= and namespace= may follow '?', once each and not empty; give {FORM}"
        )
    namespace = query.get("namespace", [NAMESPACE])[0]
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", namespace):
        raise EngineError(
            f"{_shown(url)}: namespace {namespace!r} must be letters, digits and _; give {FORM}"
        )
    warehouse = query.get("warehouse", [(home / "published" / "iceberg").as_uri()])[0]
    where = urllib.parse.urlsplit(warehouse)
    properties: dict[str, Any] = {}
    if where.scheme == "s3" and where.netloc:  # reached as the batch store is (SHOPKPI_STORE_ENDPOINT)
        endpoint = os.environ.get(STORE_ENDPOINT, "").strip()
        if endpoint:
            properties["s3.endpoint"] = endpoint
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if region:
            properties["s3.region"] = region
    elif not (where.scheme == "file" and where.path):
        raise EngineError(
            f"{_shown(url)}: warehouse {warehouse!r} is not a place for the tables' files; give "
            "file:///FOLDER or s3://BUCKET/PREFIX"
        )
    catalogue = urllib.parse.urlunsplit(("postgresql+psycopg", parsed.netloc, "/" + database, "", ""))
    return catalogue, namespace, warehouse, properties


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _shown(url: str) -> str:
    """The URL without its password."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.password is None:
        return url
    place = parsed.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parsed._replace(netloc=f"{parsed.username}@{place}"))
