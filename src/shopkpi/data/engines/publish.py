"""`publish`: each dataset's current rows of the local warehouse, with their batch, into an engine's
tables (so the provenance an engine reports names the same batches), or into Apache Iceberg tables
(`iceberg+postgresql://…`: a copy for other tools to read, not a metric engine; `iceberg_target`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyarrow as pa  # type: ignore[import-untyped]

from shopkpi.data.datasets import DATASETS, Dataset
from shopkpi.data.engines.base import dataset_columns
from shopkpi.data.engines.registry import open_engine
from shopkpi.data.metrics.attribution import quoted
from shopkpi.data.warehouse.catalogue import Warehouse

ICEBERG = "iceberg+"
"""The scheme prefix of an Iceberg publish URL (`iceberg+postgresql://…`)."""


class Target(Protocol):
    def publish(self, tables: Sequence[tuple[Dataset, pa.Table]]) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Published:
    dataset: str
    rows: int
    batches: int


def publish(home: Path, url: str) -> list[Published]:
    """Every warehouse dataset (the organisation's are the application's, put by each computation)
    copied to the engine (or Iceberg catalogue) `url` names, replacing what it held; EngineError when
    it cannot be (a wrong URL or an unreachable target: before anything is written)."""
    target = _open(url, home)
    try:
        tables = _current_rows(home)
        target.publish(tables)
    finally:
        target.close()
    return [
        Published(dataset.name, table.num_rows, len(set(table.column("_batch").to_pylist()) - {None}))
        for dataset, table in tables
    ]


def _open(url: str, home: Path) -> Target:
    if url.startswith(ICEBERG):
        from shopkpi.data.engines.iceberg_target import IcebergTarget

        return IcebergTarget(url, home)
    return open_engine(url, home)


def _current_rows(home: Path) -> list[tuple[Dataset, pa.Table]]:
    connection = Warehouse(home).connect(read_only=True)
    try:
        tables = []
        for dataset in DATASETS.values():
            if dataset.organisation:
                continue
            names = ", ".join(quoted(name) for name, _ in dataset_columns(dataset))
            tables.append(
                (dataset, connection.sql(f"SELECT {names} FROM {quoted(dataset.name)}").to_arrow_table())
            )
    finally:
        connection.close()
    return tables
