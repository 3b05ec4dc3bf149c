"""The warehouse of a home whose application runs in other processes, read from the test's process: its
batch catalogue is in that application's database (SQLite in the home, or a PostgreSQL URL), read
here with plain SQL and never written."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import duckdb

from shopkpi.data.warehouse.batch_catalogue import BATCH_COLUMNS, BatchRecord, insert_rows
from shopkpi.data.warehouse.batch_store import BatchStore
from shopkpi.data.warehouse.catalogue import Warehouse

BATCHES, ACCOUNTS = "appraisal_warehousebatch", "appraisal_warehousebatchaccount"


class AppCatalogue:
    """Read-only: the home's processes write it, under their lock."""

    def __init__(self, home: Path, database_url: str | None = None) -> None:
        self.home, self.database_url = home, database_url

    def _query(self, sql: str) -> list[tuple[object, ...]]:
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url) as con:
                return [tuple(row) for row in con.execute(sql).fetchall()]
        con = sqlite3.connect(self.home / "shopkpi.sqlite3")
        try:
            return [tuple(row) for row in con.execute(sql).fetchall()]
        finally:
            con.close()

    def exists(self) -> bool:
        return bool(self._query(f"SELECT 1 FROM {BATCHES} LIMIT 1"))

    def load(self, con: duckdb.DuckDBPyConnection) -> None:
        batches = [
            [_value(column, value) for column, value in zip(BATCH_COLUMNS, row, strict=True)]
            for row in self._query(f"SELECT {', '.join(BATCH_COLUMNS)} FROM {BATCHES} ORDER BY seq")
        ]
        accounts = [
            (str(b), None if a is None else str(a))
            for b, a in self._query(f"SELECT batch_id, account FROM {ACCOUNTS} ORDER BY id")
        ]
        insert_rows(con, batches, accounts)

    def paths(self) -> list[str]:
        return [str(p) for (p,) in self._query(f"SELECT path FROM {BATCHES} ORDER BY seq")]

    def held(self, on_wait: Callable[[], None] | None = None) -> contextlib.AbstractContextManager[None]:
        raise NotImplementedError("read-only")

    def try_held(self) -> contextlib.AbstractContextManager[bool]:
        return _not_held()

    def add(self, batches: Sequence[BatchRecord], replaced: Mapping[str, str]) -> None:
        raise NotImplementedError("read-only")

    def set_states(self, states: Mapping[str, str | None]) -> list[str]:
        raise NotImplementedError("read-only")

    def backup(self, folder: Path) -> list[str]:
        raise NotImplementedError("read-only")


def warehouse_of(home: Path, database_url: str | None = None, store: BatchStore | None = None) -> Warehouse:
    """The home's warehouse as its application's database (and store: this process's settings'
    unless named) describe it."""
    return Warehouse(home, store=store, catalogue=AppCatalogue(home, database_url))


def _value(column: str, value: object) -> object:
    """SQLite keeps dates and times as text: as the catalogue's types (times in UTC, without the zone)."""
    if isinstance(value, str) and column == "imported_at":
        return dt.datetime.fromisoformat(value).replace(tzinfo=None)
    if isinstance(value, str) and column in ("scope_from", "scope_to"):
        return dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


@contextlib.contextmanager
def _not_held() -> Iterator[bool]:
    yield False
