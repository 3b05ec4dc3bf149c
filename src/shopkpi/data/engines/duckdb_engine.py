"""The embedded default: DuckDB over the local warehouse (`Warehouse.connect()`), roll-ups included."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from shopkpi.data.datasets import DATASETS, Dataset
from shopkpi.data.engines.base import EngineError
from shopkpi.data.metrics.attribution import quoted
from shopkpi.data.warehouse import rollups


class DuckDBEngine:
    kind = "duckdb"
    dialect = "duckdb"

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection

    @property
    def tables(self) -> Mapping[str, str]:
        return {}

    def put(self, name: str, table: pa.Table) -> None:
        staged = f"_put_{name.strip('_')}"
        self.connection.register(staged, table)
        try:
            self.connection.execute(f"CREATE OR REPLACE TEMP TABLE {quoted(name)} AS SELECT * FROM {staged}")
        finally:
            self.connection.unregister(staged)

    def rollups(self) -> frozenset[str]:
        views = {rollups.view_name(d): d.name for d in DATASETS.values() if rollups.has_rollup(d)}
        if not views:
            return frozenset()
        marks = ", ".join("?" for _ in views)
        found = self.connection.execute(
            f"SELECT table_name FROM information_schema.tables WHERE table_name IN ({marks})", list(views)
        ).fetchall()
        return frozenset(views[str(name)] for (name,) in found)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            return self.connection.execute(sql).fetchall()
        except duckdb.Error as error:
            raise EngineError(str(error).splitlines()[0]) from error

    def publish(self, tables: Sequence[tuple[Dataset, pa.Table]]) -> None:
        raise EngineError("the local warehouse is where publish reads from; name another engine")

    def close(self) -> None:
        self.connection.close()
