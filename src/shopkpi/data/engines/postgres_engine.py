"""PostgreSQL (`postgresql://user@host:port/database`): the dataset tables are the database's tables of
the same names (on its search path); the organisation goes into temporary tables of the session."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]

from shopkpi.data.datasets import Dataset
from shopkpi.data.engines.base import EngineError, arrow_columns, dataset_columns, sql_type
from shopkpi.data.metrics.attribution import quoted

_CHUNK_ROWS = 100_000
"""Rows per CSV chunk sent to COPY: few chunks, each small enough to hold in memory."""


class PostgresEngine:
    kind = "postgresql"
    dialect = "postgres"

    def __init__(self, url: str) -> None:
        conninfo = "postgresql://" + url.split("://", 1)[1]
        try:
            self.connection = psycopg.connect(conninfo, autocommit=True)
        except psycopg.Error as error:
            raise EngineError(f"PostgreSQL at {_shown(url)} cannot be reached: {error}") from error

    @property
    def tables(self) -> Mapping[str, str]:
        return {}

    def put(self, name: str, table: pa.Table) -> None:
        columns = arrow_columns(table)
        with self.connection.transaction(), self.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{quoted(name)}")
            cursor.execute(f"CREATE TEMP TABLE {quoted(name)} ({_ddl(columns)})")
            _copy(cursor, name, columns, table)

    def rollups(self) -> frozenset[str]:
        return frozenset()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(sql.encode("utf-8"))
                return cursor.fetchall()
        except psycopg.Error as error:
            raise EngineError(str(error).splitlines()[0]) from error

    def publish(self, tables: Sequence[tuple[Dataset, pa.Table]]) -> None:
        """Every table replaced in one transaction: a reader sees the old rows or the new, never a mix."""
        try:
            with self.connection.transaction(), self.connection.cursor() as cursor:
                for dataset, table in tables:
                    columns = dataset_columns(dataset)
                    cursor.execute(f"DROP TABLE IF EXISTS {quoted(dataset.name)}")
                    cursor.execute(f"CREATE TABLE {quoted(dataset.name)} ({_ddl(columns)})")
                    _copy(cursor, dataset.name, columns, table)
        except psycopg.Error as error:
            raise EngineError(f"publishing to PostgreSQL failed, nothing changed: {error}") from error

    def close(self) -> None:
        self.connection.close()


def _ddl(columns: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"{quoted(name)} {sql_type(kind, 'postgresql')}" for name, kind in columns)


def _copy(
    cursor: psycopg.Cursor[Any], name: str, columns: Sequence[tuple[str, str]], table: pa.Table
) -> None:
    """The rows as CSV that Arrow writes a chunk at a time: it quotes every text value (`""` is the
    empty text) and leaves NULL unquoted and empty, which is how PostgreSQL's CSV tells them apart;
    inside quotes, commas, line breaks and backslashes are data."""
    names = [column for column, _ in columns]
    listed = ", ".join(quoted(n) for n in names)
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    with cursor.copy(f"COPY {quoted(name)} ({listed}) FROM STDIN (FORMAT csv)") as copy:
        for batch in table.select(names).to_batches(max_chunksize=_CHUNK_ROWS):
            chunk = io.BytesIO()
            pacsv.write_csv(batch, chunk, options)
            copy.write(chunk.getbuffer())


def _shown(url: str) -> str:
    """The URL without its password."""
    scheme, _, rest = url.partition("://")
    credentials, at, place = rest.rpartition("@")
    return f"{scheme}://{credentials.split(':')[0]}{at}{place}" if at else url
