"""The batch catalogue in a DuckDB file of the home (`<home>/warehouse/catalogue.duckdb`), locked with a
lock file beside it: the data layer used alone, on one machine (`batch_catalogue` describes the
operations; the application keeps its catalogue in its database instead).

    catalogue.duckdb   batches (provenance, state) and batch_accounts (what each batch speaks for)
    .lock              held while a commit, withdrawal, clean-up or backup runs
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import duckdb

from shopkpi.data.imports.value_sql import quote
from shopkpi.data.warehouse import file_lock
from shopkpi.data.warehouse.batch_catalogue import BATCH_COLUMNS, SNAPSHOT_SCHEMA, BatchRecord, insert_rows
from shopkpi.data.warehouse.batch_states import WITHDRAWN

NAME = "catalogue.duckdb"
_SCHEMA = SNAPSHOT_SCHEMA.replace("seq BIGINT NOT NULL", "seq BIGINT PRIMARY KEY").replace(
    "id VARCHAR NOT NULL", "id VARCHAR NOT NULL UNIQUE"
)
# a catalogue written before batches had a state: every batch in it is current
# and one written before batches named their workbook's sheet: NULL, as for a CSV
_UPGRADE = (
    "ALTER TABLE batches ADD COLUMN IF NOT EXISTS state VARCHAR DEFAULT 'current'; "
    "ALTER TABLE batches ADD COLUMN IF NOT EXISTS sheet VARCHAR"
)


class LocalCatalogue:
    """The catalogue in `<root>/catalogue.duckdb` (root: the home's `warehouse/` folder)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.file = root / NAME

    def __repr__(self) -> str:
        return f"LocalCatalogue({self.file})"

    def exists(self) -> bool:
        return self.file.exists()

    def load(self, con: duckdb.DuckDBPyConnection) -> None:
        """Copy the file's tables into `con` (read-only and briefly: no lock is held afterwards)."""
        if not self.file.exists():
            return
        self._attach(con, read_only=True)
        try:
            columns = ", ".join(stored_columns(con, "catalogue"))
            con.execute(f"INSERT INTO batches ({columns}) SELECT {columns} FROM catalogue.batches")
            con.execute("INSERT INTO batch_accounts SELECT * FROM catalogue.batch_accounts")
        except duckdb.CatalogException:  # a catalogue file without tables: nothing was ever committed
            pass
        finally:
            con.execute("DETACH catalogue")

    def held(self, on_wait: Callable[[], None] | None = None) -> contextlib.AbstractContextManager[None]:
        return file_lock.held(self.root / ".lock", on_wait)

    def try_held(self) -> contextlib.AbstractContextManager[bool]:
        return file_lock.try_held(self.root / ".lock")

    def add(self, batches: Sequence[BatchRecord], replaced: Mapping[str, str]) -> None:
        if not batches and not replaced:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with self._writing() as con:
            insert_rows(con, [b.values() for b in batches], [(b.id, a) for b in batches for a in b.accounts])
            for old, new in replaced.items():
                con.execute("UPDATE batches SET replaced_by = ? WHERE id = ?", [new, old])

    def set_states(self, states: Mapping[str, str | None]) -> list[str]:
        removed: list[str] = []
        if not states or not self.file.exists():
            return removed
        with self._writing() as con:
            for batch, state in states.items():
                if state in (None, WITHDRAWN):
                    con.execute("UPDATE batches SET replaced_by = NULL WHERE replaced_by = ?", [batch])
                if state is None:
                    found = con.execute("SELECT path FROM batches WHERE id = ?", [batch]).fetchone()
                    removed += [str(found[0])] if found else []
                    con.execute("DELETE FROM batch_accounts WHERE batch = ?", [batch])
                    con.execute("DELETE FROM batches WHERE id = ?", [batch])
                else:
                    con.execute("UPDATE batches SET state = ? WHERE id = ?", [state, batch])
        return removed

    def paths(self) -> list[str]:
        if not self.file.exists():
            return []
        con = duckdb.connect(":memory:")
        try:
            self._attach(con, read_only=True)
            return [
                str(p) for (p,) in con.execute("SELECT path FROM catalogue.batches ORDER BY seq").fetchall()
            ]
        except duckdb.CatalogException:
            return []
        finally:
            con.close()

    def backup(self, folder: Path) -> list[str]:
        """The catalogue copied row by row into `folder/catalogue.duckdb` (one consistent file, whatever
        the source's write-ahead log holds); its name, or nothing when there is no catalogue."""
        if not self.file.exists():
            return []
        con = duckdb.connect(":memory:")
        try:
            con.execute(SNAPSHOT_SCHEMA)
            self.load(con)
            con.execute(f"ATTACH {quote(str(folder / NAME))} AS snapshot")
            con.execute("USE snapshot")
            con.execute(_SCHEMA)
            con.execute("INSERT INTO snapshot.batches SELECT * FROM memory.batches")
            con.execute("INSERT INTO snapshot.batch_accounts SELECT * FROM memory.batch_accounts")
        finally:
            con.close()
        return [NAME]

    @contextlib.contextmanager
    def _writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The file open for writing, in one transaction (rolled back if the block raises)."""
        con = duckdb.connect(str(self.file))
        try:
            has_schema = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'batches'"
            ).fetchone() == (1,)
            con.execute("BEGIN TRANSACTION")
            con.execute(_UPGRADE if has_schema else _SCHEMA)
            try:
                yield con
                con.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(duckdb.Error):
                    con.execute("ROLLBACK")
                raise
        finally:
            con.close()

    def _attach(self, con: duckdb.DuckDBPyConnection, *, read_only: bool) -> None:
        mode = " (READ_ONLY)" if read_only else ""
        deadline = time.monotonic() + 60
        while True:
            try:
                con.execute(f"ATTACH {quote(str(self.file))} AS catalogue{mode}")
                return
            except duckdb.IOException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


def stored_columns(con: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    """The batch columns of the attached catalogue `database` (an older one has no `state`)."""
    found = {
        str(name)
        for (name,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND table_name = 'batches'",
            [database],
        ).fetchall()
    }
    return [c for c in BATCH_COLUMNS if c in found] or list(BATCH_COLUMNS)
