"""Which engine a URL names, and the one the company configured (`SHOPKPI_METRICS_ENGINE`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from shopkpi.data.engines.base import EngineError, MetricEngine

if TYPE_CHECKING:
    from shopkpi.data.warehouse.read_windows import Reads

ENGINE_SETTING = "SHOPKPI_METRICS_ENGINE"

_KINDS = (
    ("postgresql://", "postgresql"),
    ("postgres://", "postgresql"),
    ("spark-local", "spark"),
    ("spark://", "spark"),
    ("clickhouse://", "clickhouse"),
    ("duckdb", "duckdb"),
)


def configured_url() -> str | None:
    """The engine `SHOPKPI_METRICS_ENGINE` names; None (or empty): DuckDB over the local warehouse."""
    return os.environ.get("SHOPKPI_METRICS_ENGINE", "").strip() or None


def engine_kind(url: str | None) -> str:
    """`duckdb`, `postgresql`, `spark` or `clickhouse`; EngineError for anything else."""
    if url is None:
        return "duckdb"
    for prefix, kind in _KINDS:
        if url.startswith(prefix):
            return kind
    if url.startswith("iceberg+"):
        raise EngineError(
            f"{ENGINE_SETTING}={url}: Apache Iceberg is a place to publish to (shopkpi warehouse publish "
            "--to iceberg+postgresql://…), not a metric engine; name postgresql://…, spark-local, "
            "spark://… or clickhouse:///path, or leave it unset for DuckDB"
        )
    raise EngineError(
        f"{ENGINE_SETTING}={url}: not a metric engine (postgresql://…, spark-local, spark://…, clickhouse:///path)"
    )


def open_engine(
    url: str | None, home: Path, *, read_only: bool = True, reads: Reads | None = None
) -> MetricEngine:
    """The engine `url` names (None: DuckDB over `home`'s warehouse). `reads` (`metrics.reads`): the
    dates the statements read of each dataset; DuckDB then reads only the batches of those dates (the
    other engines hold the published tables as they are)."""
    kind = engine_kind(url)
    if kind == "duckdb":
        from shopkpi.data.engines.duckdb_engine import DuckDBEngine
        from shopkpi.data.warehouse.catalogue import Warehouse

        return DuckDBEngine(Warehouse(home).connect(read_only=read_only, reads=reads))
    assert url is not None
    if kind == "postgresql":
        from shopkpi.data.engines.postgres_engine import PostgresEngine

        return PostgresEngine(url)
    if kind == "spark":
        from shopkpi.data.engines.spark_engine import SparkEngine

        return SparkEngine(url, home)
    from shopkpi.data.engines.clickhouse_engine import ClickHouseEngine

    return ClickHouseEngine(url)
