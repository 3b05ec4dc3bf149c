"""`publish`: each dataset's current rows of the local warehouse, with their batch, into an engine's
tables (so the provenance an engine reports names the same batches)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shopkpi.data.datasets import DATASETS
from shopkpi.data.engines.base import dataset_columns
from shopkpi.data.engines.registry import open_engine
from shopkpi.data.metrics.attribution import quoted
from shopkpi.data.warehouse.catalogue import Warehouse


@dataclass(frozen=True)
class Published:
    dataset: str
    rows: int
    batches: int


def publish(home: Path, url: str) -> list[Published]:
    """Every warehouse dataset (the organisation's are the application's, put by each computation)
    copied to the engine `url` names, replacing what it held; EngineError when it cannot be."""
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
    engine = open_engine(url, home)
    try:
        engine.publish(tables)
    finally:
        engine.close()
    return [
        Published(dataset.name, table.num_rows, len(set(table.column("_batch").to_pylist()) - {None}))
        for dataset, table in tables
    ]
