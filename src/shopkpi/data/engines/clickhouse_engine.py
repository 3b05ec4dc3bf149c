"""ClickHouse in this process (chdb): `clickhouse:///path/to/data` keeps its tables in that folder, the
dataset tables in its database `default` under their names. Session settings: `join_use_nulls = 1` (by
default ClickHouse fills the missing side of an outer join with 0 and '' instead of NULL, which turns
"no rows" into zeros without any error) and UTC. The organisation goes into a database of the
computation's own, dropped when it closes."""

from __future__ import annotations

import tempfile
import threading
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from shopkpi.data.datasets import Dataset
from shopkpi.data.engines.base import EngineError, arrow_columns, dataset_columns, sql_type

SETTINGS = "join_use_nulls = 1, session_timezone = 'UTC'"

_SESSIONS: dict[str, Any] = {}
_LOCK = threading.Lock()


def _session(path: str) -> Any:
    """One chdb session per data folder for the process (chdb allows one at a time)."""
    with _LOCK:
        if path not in _SESSIONS:
            try:
                from chdb import session
            except ImportError as error:  # pragma: no cover - a dependency of shopkpi
                raise EngineError("chdb is not installed") from error
            for other in list(_SESSIONS):
                _SESSIONS.pop(other).close()
            Path(path).mkdir(parents=True, exist_ok=True)
            _SESSIONS[path] = session.Session(path)  # type: ignore[no-untyped-call]
        return _SESSIONS[path]


def data_folder(url: str) -> str:
    parts = urlsplit(url)
    if parts.netloc:
        raise EngineError(
            f"{url}: a ClickHouse server is not supported yet; use clickhouse:///path (in this process)"
        )
    if not parts.path:
        raise EngineError("clickhouse:///path: name the folder that holds the tables")
    return parts.path


class ClickHouseEngine:
    kind = "clickhouse"
    dialect = "clickhouse"

    def __init__(self, url: str) -> None:
        self.session = _session(data_folder(url))
        self.database = f"_shopkpi_{uuid.uuid4().hex[:12]}"
        self._put: dict[str, str] = {}

    @property
    def tables(self) -> Mapping[str, str]:
        return dict(self._put)

    def _run(self, sql: str) -> Any:
        try:
            return self.session.query(sql, "ArrowTable")
        except Exception as error:  # chdb raises RuntimeError with ClickHouse's message
            raise EngineError(str(error).strip().splitlines()[0]) from error

    def put(self, name: str, table: pa.Table) -> None:
        if not self._put:
            self._run(f"CREATE DATABASE IF NOT EXISTS {self.database}")
        target = f"{self.database}.{_name(name)}"
        self._create(target, arrow_columns(table), "Memory")
        self._insert(target, table)
        self._put[name] = f"{self.database}.{name}"

    def _create(self, target: str, columns: Sequence[tuple[str, str]], engine: str) -> None:
        ddl = ", ".join(f"`{n}` {sql_type(k, 'clickhouse')}" for n, k in columns)
        self._run(f"DROP TABLE IF EXISTS {target}")
        self._run(f"CREATE TABLE {target} ({ddl}) ENGINE = {engine}")

    def _insert(self, target: str, table: pa.Table) -> None:
        """The rows through a Parquet file (chdb reads files; it takes no rows from the caller)."""
        if not table.num_rows:
            return
        with tempfile.TemporaryDirectory(prefix="shopkpi-chdb-") as folder:
            staged = Path(folder) / "rows.parquet"
            pq.write_table(table, staged)
            self._run(f"INSERT INTO {target} SELECT * FROM file('{staged}', Parquet) SETTINGS {SETTINGS}")

    def rollups(self) -> frozenset[str]:
        return frozenset()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        result = self._run(f"{sql} SETTINGS {SETTINGS}")
        return [tuple(row.values()) for row in result.to_pylist()]

    def publish(self, tables: Sequence[tuple[Dataset, pa.Table]]) -> None:
        """Each table written beside its dataset's, then exchanged with it (EXCHANGE TABLES)."""
        for dataset, table in tables:
            names = [n for n, _ in dataset_columns(dataset)]
            fresh = f"default.`{dataset.name}__new`"
            self._create(fresh, dataset_columns(dataset), "MergeTree ORDER BY tuple()")
            self._insert(fresh, table.select(names))
            self._run(f"CREATE TABLE IF NOT EXISTS default.`{dataset.name}` AS {fresh}")
            self._run(f"EXCHANGE TABLES {fresh} AND default.`{dataset.name}`")
            self._run(f"DROP TABLE {fresh}")

    def close(self) -> None:
        if self._put:
            self._run(f"DROP DATABASE IF EXISTS {self.database}")
        self._put.clear()


def _name(name: str) -> str:
    return "`" + name.replace("`", "") + "`"
