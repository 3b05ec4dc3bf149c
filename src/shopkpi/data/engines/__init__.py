"""Metric engines: where `compute_metrics` runs its statement (`base.MetricEngine`).

DuckDB over the local warehouse is the embedded default; `SHOPKPI_METRICS_ENGINE` names another
(`open_engine`): `postgresql://…`, `spark-local` / `spark://…`, `clickhouse:///path` (ClickHouse
in-process, chdb). `publish` copies the warehouse's current rows there, or into Apache Iceberg
tables for other tools to read (`iceberg+postgresql://…`, `iceberg_target`: a publish target, not an engine).
"""

from shopkpi.data.engines.base import EngineError, MetricEngine
from shopkpi.data.engines.registry import ENGINE_SETTING, configured_url, engine_kind, open_engine

__all__ = ["ENGINE_SETTING", "EngineError", "MetricEngine", "configured_url", "engine_kind", "open_engine"]
