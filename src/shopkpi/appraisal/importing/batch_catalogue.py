"""The warehouse's batch catalogue in the application database (`WarehouseBatch`): what several servers
share, instead of a DuckDB file in one server's home.

The warehouse asks for it through `shopkpi.data.warehouse.batch_catalogue.use_catalogue` (named when
the application starts) for this application's home. Every change is one database transaction; the
catalogue's lock is a PostgreSQL advisory lock (on a connection of its own, so that it is held across
the import's own transactions and released by PostgreSQL if the process dies) — two servers never
record batches at once, so they cannot both make a batch of the same file current. On SQLite (one
machine) the lock is the home's lock file, `<home>/warehouse/.lock`.

`adopt_local_catalogue` moves a home's older `warehouse/catalogue.duckdb` into the database, once
(`shopkpi migrate`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import duckdb
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from shopkpi.appraisal.models import WarehouseBatch, WarehouseBatchAccount
from shopkpi.data.warehouse import file_lock
from shopkpi.data.warehouse.batch_catalogue import BATCH_COLUMNS, BatchRecord, insert_rows, records, snapshot
from shopkpi.data.warehouse.batch_states import WITHDRAWN
from shopkpi.data.warehouse.local_catalogue import NAME, LocalCatalogue

LOCK_KEY = 0x73686F706B7069  # "shopkpi": the advisory lock of the catalogue, one per database
MOVED = ".moved-to-database"  # the suffix an adopted catalogue file is renamed with


class DatabaseCatalogue:
    """The batch catalogue of `home`'s application (see the module docstring)."""

    def __init__(self, home: Path) -> None:
        self.home = home

    def __repr__(self) -> str:
        return f"DatabaseCatalogue({connection.vendor})"

    def exists(self) -> bool:
        return WarehouseBatch.objects.exists()

    def load(self, con: duckdb.DuckDBPyConnection) -> None:
        batches = [
            [*row[:8], _wall_clock(row[8]), *row[9:]]
            for row in WarehouseBatch.objects.order_by("seq").values_list(*BATCH_COLUMNS)
        ]
        accounts = list(WarehouseBatchAccount.objects.order_by("id").values_list("batch_id", "account"))
        insert_rows(con, batches, accounts)

    def held(self, on_wait: Callable[[], None] | None = None) -> contextlib.AbstractContextManager[None]:
        if connection.vendor != "postgresql":
            return file_lock.held(self.home / "warehouse" / ".lock", on_wait)
        return _advisory_lock(on_wait)

    def try_held(self) -> contextlib.AbstractContextManager[bool]:
        if connection.vendor != "postgresql":
            return file_lock.try_held(self.home / "warehouse" / ".lock")
        return _try_advisory_lock()

    def add(self, batches: Sequence[BatchRecord], replaced: Mapping[str, str]) -> None:
        with transaction.atomic():
            WarehouseBatch.objects.bulk_create(_row(b) for b in batches)
            WarehouseBatchAccount.objects.bulk_create(
                WarehouseBatchAccount(batch_id=b.id, account=a) for b in batches for a in b.accounts
            )
            for old, new in replaced.items():
                WarehouseBatch.objects.filter(id=old).update(replaced_by=new)

    def set_states(self, states: Mapping[str, str | None]) -> list[str]:
        removed: list[str] = []
        with transaction.atomic():
            for batch, state in states.items():
                if state in (None, WITHDRAWN):
                    WarehouseBatch.objects.filter(replaced_by=batch).update(replaced_by=None)
                if state is None:
                    removed += WarehouseBatch.objects.filter(id=batch).values_list("path", flat=True)
                    WarehouseBatch.objects.filter(id=batch).delete()  # its accounts with it
                else:
                    WarehouseBatch.objects.filter(id=batch).update(state=state)
        return removed

    def paths(self) -> list[str]:
        return list(WarehouseBatch.objects.order_by("seq").values_list("path", flat=True))

    def backup(self, folder: Path) -> list[str]:
        """Nothing: the catalogue is in the application database, which the backup copies."""
        del folder
        return []


def catalogue_of(home: Path) -> DatabaseCatalogue | None:
    """For the warehouse (`use_catalogue`): the catalogue of this application's home; None for another."""
    if Path(settings.HOME).resolve() != home.resolve():
        return None
    return DatabaseCatalogue(home)


def adopt_local_catalogue(home: Path) -> int:
    """Copy the home's `warehouse/catalogue.duckdb` (written before the catalogue moved into the
    application database) into the database, in one transaction, then rename the file (and its
    write-ahead log) with MOVED; the batches copied. Batches already in the database are left as they
    are, so a copy interrupted before the rename is finished by the next call."""
    local = LocalCatalogue(home / "warehouse")
    if not local.exists():
        return 0
    con = snapshot(local)
    try:
        found = list(records(con))
    finally:
        con.close()
    known = set(WarehouseBatch.objects.values_list("id", flat=True))
    new = [b for b in found if b.id not in known]
    DatabaseCatalogue(home).add(new, {})
    for name in (NAME, f"{NAME}.wal"):
        moved = local.root / name
        if moved.exists():
            moved.rename(moved.with_name(name + MOVED))
    return len(new)


def has_local_catalogue(home: Path) -> bool:
    """Whether the home still has a catalogue file the database has not adopted (`shopkpi migrate` does)."""
    return LocalCatalogue(home / "warehouse").exists()


def _row(batch: BatchRecord) -> WarehouseBatch:
    fields = {c: getattr(batch, c) for c in BATCH_COLUMNS}
    fields["imported_at"] = _stored(batch.imported_at)
    return WarehouseBatch(**fields)


def _stored(wall_clock: dt.datetime) -> dt.datetime:
    """The company's wall-clock time kept as it is: stored as if it were UTC."""
    return wall_clock.replace(tzinfo=dt.UTC)


def _wall_clock(stored: dt.datetime) -> dt.datetime:
    return stored.astimezone(dt.UTC).replace(tzinfo=None) if stored.tzinfo else stored


@contextlib.contextmanager
def _lock_connection() -> Iterator[object]:
    """A connection of its own to the application database (the lock outlives the import's transactions)."""
    live = connections[DEFAULT_DB_ALIAS]
    own = type(live)(dict(live.settings_dict), alias="shopkpi-warehouse-lock")
    try:
        own.ensure_connection()
        own.set_autocommit(True)
        yield own
    finally:
        own.close()


@contextlib.contextmanager
def _advisory_lock(on_wait: Callable[[], None] | None) -> Iterator[None]:
    with _lock_connection() as own, own.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            if on_wait is not None:
                on_wait()
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        try:
            yield
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


@contextlib.contextmanager
def _try_advisory_lock() -> Iterator[bool]:
    with _lock_connection() as own, own.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            yield False
            return
        try:
            yield True
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
