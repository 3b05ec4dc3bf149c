"""What the metric step needs of an engine.

An engine runs one statement and hands back plain rows (tuples of None, int, Decimal, str, date,
lists): `compute_metrics` reads them alike whatever ran them. Before the statement, the
computation `put`s the organisation's tables (`employees`, `accounts`, `_reports`) as tables of its
session; `tables` maps every name the statement reads to where the engine holds it (a dataset is
mapped by its name: `orders` is the engine's table `orders`). `publish` replaces the engine's
dataset tables with the warehouse's current rows, all of them or none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import pyarrow as pa  # type: ignore[import-untyped]

from shopkpi.data.datasets import Dataset


class EngineError(RuntimeError):
    """An engine that cannot be reached, or a statement it refused; the message says which."""


class MetricEngine(Protocol):
    kind: str
    """`duckdb`, `postgresql`, `spark` or `clickhouse`: the allow-list of functions the SQL guard applies."""
    dialect: str
    """sqlglot's name of the engine's SQL dialect."""

    @property
    def tables(self) -> Mapping[str, str]:
        """Names the statement reads → the engine's names for them (absent: the same name)."""
        ...

    def put(self, name: str, table: pa.Table) -> None:
        """`table` as the session's table `name` for the computations that follow."""

    def rollups(self) -> frozenset[str]:
        """The datasets whose roll-up view (`rollups.view_name`) the engine holds."""
        ...

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """The statement's rows; EngineError when the engine refuses it."""
        ...

    def publish(self, tables: Sequence[tuple[Dataset, pa.Table]]) -> None:
        """Each dataset's table replaced by the rows given (its columns and `_batch`)."""

    def close(self) -> None: ...


def sql_type(duckdb_type: str, kind: str) -> str:
    """A column type of the registry (DuckDB's name) in an engine's DDL."""
    if kind == "postgresql":
        return {"VARCHAR": "text", "BIGINT": "bigint", "DATE": "date", "TIMESTAMP": "timestamp"}.get(
            duckdb_type, duckdb_type.replace("DECIMAL", "numeric")
        )
    if kind == "clickhouse":
        inner = {
            "VARCHAR": "String",
            "BIGINT": "Int64",
            "DATE": "Date32",
            "TIMESTAMP": "DateTime64(6, 'UTC')",
        }.get(duckdb_type, duckdb_type.replace("DECIMAL", "Decimal"))
        return f"Nullable({inner})"
    raise ValueError(f"no DDL types for {kind}")


def dataset_columns(dataset: Dataset) -> list[tuple[str, str]]:
    """(name, DuckDB type) of a dataset's table on an engine: its columns and `_batch`."""
    return [*((c.name, c.duckdb_type) for c in dataset.columns), ("_batch", "VARCHAR")]


def arrow_columns(table: pa.Table) -> list[tuple[str, str]]:
    """(name, DuckDB type) of an Arrow table's columns (the types the organisation's tables use)."""
    return [(field.name, _duckdb_type(field.type)) for field in table.schema]


def _duckdb_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_date(arrow_type):
        return "DATE"
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMP"
    if pa.types.is_integer(arrow_type):
        return "BIGINT"
    if pa.types.is_decimal(arrow_type):
        return f"DECIMAL({arrow_type.precision},{arrow_type.scale})"
    return "VARCHAR"
