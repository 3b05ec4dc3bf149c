"""The batch catalogue: which batches the warehouse holds, their provenance and state, what each speaks for.

The warehouse (`catalogue.Warehouse`) keeps its logic — what a new batch replaces, which rows are
current — in DuckDB over a copy of the catalogue; the catalogue itself only stores and locks:

    exists()            whether any batch was ever recorded
    load(con)           copy every batch and its accounts into `con`'s `batches` / `batch_accounts`
    held(on_wait)       hold the catalogue's lock (one writer at a time, across every server that shares it)
    try_held()          the lock if no one holds it (True), else nothing (False)
    add(batches, replaced)   record new batches and the batches they wholly replace, in one transaction
    set_states(states)  decide batches (a new state, or None: removed), in one transaction; their paths if removed
    paths()             every batch's file (backups, the clean-up of files no batch names)
    backup(folder)      the catalogue's own files into a backup folder (none when a database holds it)

Two catalogues implement it: `LocalCatalogue` (`<home>/warehouse/catalogue.duckdb` and a file lock:
the data layer used alone, one machine) and the application's, in its database (`use_catalogue`
names it when the application starts; several servers share it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import duckdb

# the tables a copy of the catalogue has in a DuckDB connection (what readers and the warehouse query)
SNAPSHOT_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    seq BIGINT NOT NULL,
    id VARCHAR NOT NULL,
    dataset VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    profile VARCHAR NOT NULL,
    row_count BIGINT NOT NULL,
    imported_by VARCHAR NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    replaced_by VARCHAR,
    period VARCHAR,
    path VARCHAR NOT NULL,
    scope_from DATE,
    scope_to DATE,
    state VARCHAR NOT NULL DEFAULT 'current',
    sheet VARCHAR
);
CREATE TABLE IF NOT EXISTS batch_accounts (batch VARCHAR NOT NULL, account VARCHAR);
"""
BATCH_COLUMNS = (
    "seq",
    "id",
    "dataset",
    "file_name",
    "sha256",
    "profile",
    "row_count",
    "imported_by",
    "imported_at",
    "replaced_by",
    "period",
    "path",
    "scope_from",
    "scope_to",
    "state",
    "sheet",
)
# the DuckDB type of each of BATCH_COLUMNS (SNAPSHOT_SCHEMA)
BATCH_TYPES = (
    "BIGINT",
    *["VARCHAR"] * 5,
    "BIGINT",
    "VARCHAR",
    "TIMESTAMP",
    *["VARCHAR"] * 3,
    "DATE",
    "DATE",
    "VARCHAR",
    "VARCHAR",
)


@dataclass(frozen=True)
class BatchRecord:
    """One batch as the catalogue stores it (`imported_at` in the company's time, without a zone)."""

    seq: int
    id: str
    dataset: str
    file_name: str
    sha256: str
    profile: str
    row_count: int
    imported_by: str
    imported_at: dt.datetime
    replaced_by: str | None
    period: str | None
    path: str
    scope_from: dt.date | None
    scope_to: dt.date | None
    state: str
    sheet: str | None
    accounts: tuple[str | None, ...] = ()

    def values(self) -> list[object]:
        """The values of BATCH_COLUMNS, in order."""
        return [getattr(self, column) for column in BATCH_COLUMNS]


class BatchCatalogue(Protocol):
    """Where the batch catalogue is kept (see the module docstring)."""

    def exists(self) -> bool: ...

    def load(self, con: duckdb.DuckDBPyConnection) -> None: ...

    def held(self, on_wait: Callable[[], None] | None = None) -> AbstractContextManager[None]: ...

    def try_held(self) -> AbstractContextManager[bool]: ...

    def add(self, batches: Sequence[BatchRecord], replaced: Mapping[str, str]) -> None: ...

    def set_states(self, states: Mapping[str, str | None]) -> list[str]: ...

    def paths(self) -> list[str]: ...

    def backup(self, folder: Path) -> list[str]: ...


# (home) -> the application's catalogue of that home, or None for a home the application does not know
CatalogueFactory = Callable[[Path], BatchCatalogue | None]
_factory: CatalogueFactory | None = None


def use_catalogue(factory: CatalogueFactory | None) -> None:
    """Name where a home's catalogue lives (the application, when it starts: its database); a home it
    answers None for, or every home when no one named one, keeps `<home>/warehouse/catalogue.duckdb`."""
    global _factory
    _factory = factory


def catalogue_for(home: Path) -> BatchCatalogue:
    """The catalogue of `home`: the application's when it knows the home, else the home's DuckDB file."""
    found = None if _factory is None else _factory(home)
    if found is not None:
        return found
    from shopkpi.data.warehouse.local_catalogue import LocalCatalogue

    return LocalCatalogue(home / "warehouse")


def snapshot(catalogue: BatchCatalogue) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a copy of the catalogue's tables (empty when there is none)."""
    con = duckdb.connect(":memory:")
    con.execute(SNAPSHOT_SCHEMA)
    catalogue.load(con)
    return con


def refresh(catalogue: BatchCatalogue, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """`con`, a `snapshot`'s connection, with its copy made again: the catalogue's tables as they are
    now, as a new snapshot would have them (without a new DuckDB database's cost)."""
    con.execute("DROP TABLE IF EXISTS batch_accounts; DROP TABLE IF EXISTS batches")
    con.execute(SNAPSHOT_SCHEMA)
    catalogue.load(con)
    return con


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    batches: Sequence[Sequence[object]],
    accounts: Sequence[tuple[str, str | None]],
) -> None:
    """Insert rows (BATCH_COLUMNS' values; (batch, account)) into `con`'s snapshot tables, column-wise:
    each column one list parameter (no Arrow table: registering one makes DuckDB import pandas)."""
    if batches:
        columns = [list(values) for values in zip(*batches, strict=True)]
        lists = ", ".join(f"unnest(${i + 1}::{t}[])" for i, t in enumerate(BATCH_TYPES))
        con.execute(f"INSERT INTO batches ({', '.join(BATCH_COLUMNS)}) SELECT {lists}", columns)
    if accounts:
        con.execute(
            "INSERT INTO batch_accounts SELECT unnest($1::VARCHAR[]), unnest($2::VARCHAR[])",
            [[b for b, _ in accounts], [a for _, a in accounts]],
        )


def records(con: duckdb.DuckDBPyConnection, where: str = "true") -> Iterator[BatchRecord]:
    """The batches of a snapshot (`where` over its columns), with their accounts, in order."""
    accounts: dict[str, list[str | None]] = {}
    of_those = f"WHERE batch IN (SELECT id FROM batches WHERE {where})"  # (a commit asks for its new ones)
    for batch, account in con.execute(
        f"SELECT batch, account FROM batch_accounts {of_those} ORDER BY rowid"
    ).fetchall():
        accounts.setdefault(str(batch), []).append(None if account is None else str(account))
    rows = con.execute(
        f"SELECT {', '.join(BATCH_COLUMNS)} FROM batches WHERE {where} ORDER BY seq"
    ).fetchall()
    for row in rows:
        fields = dict(zip(BATCH_COLUMNS, row, strict=True))
        yield BatchRecord(**fields, accounts=tuple(accounts.get(str(fields["id"]), ())))
