"""The warehouse: one Parquet file per imported batch in a store, and a catalogue of the batches.

    catalogue                         batches (provenance, state) and batch_accounts (what each batch speaks for)
    <store>/<dataset>/<batch>.parquet
    <store>/<dataset>.rollup/<batch>.parquet   the batch's roll-up, for datasets that declare one

The catalogue (`batch_catalogue`) is the application database's when the application runs (several
servers share it), else `<home>/warehouse/catalogue.duckdb` (`local_catalogue`: the data layer used
alone). The store (`batch_store`) is the home's `warehouse/` folder by default, or another folder or
S3-compatible object storage (SHOPKPI_STORE_URL); the catalogue names each file by its path relative
to the store.

A commit is all-or-nothing: each batch's Parquet was written and fsynced in the staging folder,
its roll-up (`rollups`) is written from it and fsynced there too, both are placed in the store
(renamed into place in a folder, one upload in object storage), and then every batch of the command
is recorded in one transaction of the catalogue, under its lock (a PostgreSQL advisory lock when the
application database holds it: two servers never record at once). A crash before that transaction
commits leaves the catalogue as it was; a file that no batch names is invisible to readers and
removed by the next commit (`recover`, by the catalogue's state, under the lock). Readers see only
what the catalogue names.

A batch has a state (`batch_states`). `current` batches are the data. An application that must record each import
(its audit entry) commits with `confirm`: the batches are recorded `pending` (not seen), `confirm`
runs, and only then are they `current` (if it raises they are removed). A withdrawal marks the batch
`withdrawing` (no longer seen), runs its `confirm`, then `withdrawn` (or `current` again if it
raises); a withdrawn batch stays in the catalogue as history, and the batches it replaced count
again. A process killed between leaves a batch `pending` or `withdrawing`: the application, named
with `on_undecided`, decides it by whether its record exists, the next time the warehouse is
committed to, recovered or read in that application.

`connect()` returns an in-memory DuckDB connection with a copy of the catalogue and a VIEW per
dataset (canonical columns, `_batch`, `_row`: the row of the imported file, for the drill-down to a
value's rows), showing current rows only: a batch whose rows were all replaced by later batches is
left out, a batch partly replaced is filtered by the later batches' accounts and dates. A dataset
with a roll-up also has the internal view `_rollup_<dataset>` of its current batches' roll-ups,
filtered the same way (a batch without its roll-up file is grouped from its rows instead).
`connect(reads=...)` makes a dataset's views over only the batches whose dates meet the dates its
reads need (`read_windows`): the same rows in those dates, whatever the history.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import shutil
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from shopkpi.data.datasets import DATASETS, Dataset
from shopkpi.data.imports.value_sql import quote
from shopkpi.data.warehouse import rollups, scope
from shopkpi.data.warehouse.batch_catalogue import (
    BatchCatalogue,
    catalogue_for,
    insert_rows,
    records,
    refresh,
    snapshot,
)
from shopkpi.data.warehouse.batch_states import (
    CURRENT,
    PAUSE_ENV,
    PENDING,
    UNDECIDED,
    WITHDRAWING,
    WITHDRAWN,
    BatchInfo,
    BatchNotWithdrawable,
    current_sql,
    decide,
    decider,
    deciding,
    has_undecided,
    on_undecided,
    pause,
)
from shopkpi.data.warehouse.batch_store import BatchStore, open_store
from shopkpi.data.warehouse.read_windows import Reads

ROLLUP_MEMORY = "3GB"  # DuckDB's memory limit while a roll-up is written
__all__ = [  # the batch states' names are the warehouse's too
    "CURRENT",
    "PAUSE_ENV",
    "BatchInfo",
    "BatchNotWithdrawable",
    "CommitResult",
    "StagedBatch",
    "Warehouse",
    "current_sql",
    "on_undecided",
]


@dataclass(frozen=True)
class StagedBatch:
    """A validated file ready to be committed; `parquet` is its final-format file in staging."""

    id: str
    dataset: str
    file_name: str
    sha256: str
    profile: str
    row_count: int
    imported_by: str
    imported_at: dt.datetime
    period: str | None
    parquet: Path
    accounts: tuple[str | None, ...]
    scope_from: dt.date | None
    scope_to: dt.date | None
    sheet: str | None = None
    """The workbook's sheet the rows were read from (None for a CSV)."""
    rollup: Path | None = None
    """The batch's roll-up, written and fsynced with it in staging (None: written from it at commit)."""


@dataclass(frozen=True)
class CommitResult:
    batch: str  # the new batch, or the existing one when unchanged
    file_name: str
    status: str  # "imported" or "unchanged"
    rows: int
    replaced: tuple[str, ...]  # batches whose rows are now all replaced
    partly_replaced: tuple[str, ...]  # batches some of whose rows are replaced


class Warehouse:
    def __init__(
        self, home: Path, store: BatchStore | None = None, catalogue: BatchCatalogue | None = None
    ) -> None:
        self.home = home
        self.root = home / "warehouse"
        self.catalogue = catalogue or catalogue_for(home)
        self.store = store or open_store(home)

    # ---- reading -------------------------------------------------------------------------------

    def connect(
        self,
        read_only: bool = True,
        *,
        datasets: Collection[str] | None = None,
        reads: Reads | None = None,
    ) -> duckdb.DuckDBPyConnection:
        """An in-memory connection with `batches`, `batch_accounts` and one view per warehouse dataset
        (the organisation's — employees, accounts, positions — come from an `OrganisationSnapshot`),
        or only `datasets`' views (an import reads its own dataset's: each view costs a millisecond).

        `reads` (`read_windows`): the dates the connection's statements read of each dataset it names;
        its views are then made over only the batches whose dates meet them (a batch without dates,
        and a dataset not named, in full): a row dated outside is not seen.

        The catalogue is copied into it, so the connection holds no lock on the warehouse; it never
        writes the catalogue, whatever `read_only` says (imports go through `commit`)."""
        con = snapshot(self.catalogue)
        if deciding() and has_undecided(con):
            # left by a killed import or withdrawal: decided now, unless a commit is under way
            con.close()
            self.decide_undecided()
            con = snapshot(self.catalogue)
        self.store.attach(con)
        # a file's footer read once per connection, not each time a statement names its dataset's view
        # (union_by_name reads every file's; a month's metrics name a thousand shops' daily files
        # several times); batch files are never rewritten (a new batch is a new file)
        con.execute("SET parquet_metadata_cache = true")
        current = self._live(con, datasets)
        for ds in DATASETS.values():
            if ds.organisation:  # the application's; a computation registers its snapshot
                continue
            if datasets is not None and ds.name not in datasets:
                continue
            every = [(seq, path, partly) for seq, path, partly, _, _ in current.get(ds.name, [])]
            window = None if reads is None else reads.get(ds.name)
            live = [
                (seq, path, partly)
                for seq, path, partly, first, last in current.get(ds.name, [])
                if window is None or window.meets(first, last)
            ]
            try:
                self._views(con, ds, live)
            except duckdb.BinderException:
                if live == every:
                    raise
                # batches written before the dataset had a column lack it: read as they were with the later
                # ones (union_by_name gives it them as NULL)
                self._views(con, ds, every)
        del read_only
        return con

    def _views(
        self, con: duckdb.DuckDBPyConnection, ds: Dataset, live: Sequence[tuple[int, str, bool]]
    ) -> None:
        """The dataset's view (and its roll-up's) over the batches `live`."""
        con.execute(f"CREATE OR REPLACE VIEW {ds.name} AS {self._view_sql(ds, live)}")
        if rollups.has_rollup(ds):
            con.execute(
                f"CREATE OR REPLACE VIEW {rollups.view_name(ds)} AS {self._rollup_view_sql(ds, live)}"
            )

    def _live(
        self, con: duckdb.DuckDBPyConnection, datasets: Collection[str] | None = None
    ) -> dict[str, list[tuple[int, str, bool, dt.date | None, dt.date | None]]]:
        """Each dataset's current batches (of `datasets` only, when given): (seq, path, partly replaced,
        first day, last day), in order."""
        only = (
            ""
            if datasets is None
            else f"b.dataset IN ({', '.join(quote(d) for d in datasets) or 'NULL'}) AND "
        )
        found = con.execute(
            """
            SELECT b.dataset, b.seq, b.path, b.scope_from, b.scope_to, EXISTS (
                SELECT 1 FROM batches c
                JOIN batch_accounts ca ON ca.batch = c.id
                JOIN batch_accounts ba ON ba.batch = b.id AND ba.account IS NOT DISTINCT FROM ca.account
                WHERE c.dataset = b.dataset AND c.seq > b.seq AND c.state = 'current'
                  AND (c.scope_from IS NULL OR b.scope_from IS NULL
                       OR (c.scope_from <= b.scope_to AND b.scope_from <= c.scope_to))
            ) AS partly
            FROM batches b WHERE """
            + only
            + current_sql("b")
            + " ORDER BY b.seq"
        ).fetchall()
        live: dict[str, list[tuple[int, str, bool, dt.date | None, dt.date | None]]] = {}
        for dataset, seq, path, first, last, partly in found:
            live.setdefault(str(dataset), []).append((int(seq), str(path), bool(partly), first, last))
        return live

    def _view_sql(self, ds: Dataset, live: Sequence[tuple[int, str, bool]]) -> str:
        columns = ", ".join(f'"{c.name}"' for c in ds.columns) + ", _batch, _row"
        if not live:
            nulls = ", ".join(f'CAST(NULL AS {c.duckdb_type}) AS "{c.name}"' for c in ds.columns)
            return (
                f"SELECT {nulls}, CAST(NULL AS VARCHAR) AS _batch, CAST(NULL AS BIGINT) AS _row WHERE false"
            )
        parts: list[str] = []
        whole = [self.store.uri(path) for _, path, partly in live if not partly]
        if whole:
            parts.append(f"SELECT {columns} FROM {_numbered(whole)}")
        for seq, path, partly in live:
            if partly:
                parts.append(
                    f"SELECT {columns} FROM {_numbered([self.store.uri(path)])} r "
                    f"WHERE NOT {covered_sql(ds, 'r', int(seq), 'batches', 'batch_accounts')}"
                )
        return " UNION ALL ".join(parts)

    def _rollup_view_sql(self, ds: Dataset, live: Sequence[tuple[int, str, bool]]) -> str:
        """The current roll-up rows: each batch's companion file, or its rows grouped when it has none."""
        columns = ", ".join(f'"{c}"' for c in rollups.columns(ds))
        stored: list[str] = []
        grouped: list[str] = []
        partial: list[str] = []
        present = self.store.present(rollups.companion(path) for _, path, _ in live)
        for seq, path, partly in live:
            companion = rollups.companion(path)
            if not partly:
                if companion in present:
                    stored.append(self.store.uri(companion))
                else:
                    grouped.append(self.store.uri(path))
                continue
            where = f"NOT {covered_sql(ds, 'r', seq, 'batches', 'batch_accounts')}"
            if companion in present:
                partial.append(
                    f"SELECT {columns} FROM {_parquet([self.store.uri(companion)])} r WHERE {where}"
                )
            else:
                partial.append(rollups.grouped_sql(ds, f"{_parquet([self.store.uri(path)])} r", where))
        parts = [f"SELECT {columns} FROM {_parquet(stored)}"] if stored else []
        parts += [rollups.grouped_sql(ds, _parquet(grouped))] if grouped else []
        parts += partial
        return " UNION ALL ".join(parts) if parts else rollups.empty_sql(ds)

    def current_batch(self, dataset: str, sha256: str) -> str | None:
        """The current batch of `dataset` imported from a file with this checksum."""
        if not self.catalogue.exists():
            return None
        con = snapshot(self.catalogue)
        try:
            row = con.execute(
                f"SELECT id FROM batches b WHERE dataset = ? AND sha256 = ? AND {current_sql('b')}",
                [dataset, sha256],
            ).fetchone()
        finally:
            con.close()
        return None if row is None else str(row[0])

    # ---- writing -------------------------------------------------------------------------------

    def commit(
        self,
        staged: Sequence[StagedBatch],
        *,
        confirm: Callable[[list[CommitResult]], None] | None = None,
        con: duckdb.DuckDBPyConnection | None = None,
    ) -> list[CommitResult]:
        """Record `staged` batches (in order) in one transaction of the catalogue; see the module docstring.

        With `confirm`, the batches are recorded as pending, `confirm(results)` runs (the application
        writes its audit entry there, in its own transaction), and only then do they become current;
        if it raises, they are removed again. A process killed between is decided by
        `decide_undecided`, by whether `confirm`'s record exists.

        `con`: a connection of `connect` (the import's own) whose copy of the catalogue is made again
        under the lock and worked on, instead of a new connection's (a DuckDB database of its own costs
        a fiftieth of a second: a small import's fixed cost); it stays open."""
        with self.catalogue.held():
            copy = self._copy_locked(con)
            try:
                results = self._commit_locked(copy, staged, pending=confirm is not None)
            finally:
                if con is None:
                    copy.close()
            if confirm is None:
                return results
            new = [r.batch for r in results if r.status == "imported"]
            pause("before_confirm")
            try:
                confirm(results)
            except BaseException:
                self._set_states({b: None for b in new})
                raise
            pause("after_confirm")
            self._set_states({b: CURRENT for b in new})
            return results

    def withdraw(self, batch: str, confirm: Callable[[BatchInfo], None]) -> BatchInfo:
        """Withdraw a current batch: its rows leave the current data (a batch it replaced is current
        again), the catalogue keeps it as withdrawn. `confirm(info)` runs while the batch already reads
        as withdrawn (the application records the withdrawal and recomputes there); if it raises, the
        batch is current again. BatchNotWithdrawable for an unknown or not current batch."""
        with self.catalogue.held():
            self._recover_locked()
            con = snapshot(self.catalogue)
            try:
                row = con.execute(
                    "SELECT id, dataset, file_name, row_count, period, imported_by, state "
                    "FROM batches WHERE id = ?",
                    [batch],
                ).fetchone()
            finally:
                con.close()
            if row is None or row[6] != CURRENT:
                raise BatchNotWithdrawable(batch, None if row is None else str(row[6]))
            info = BatchInfo(str(row[0]), str(row[1]), str(row[2]), int(row[3]), row[4], str(row[5]))
            self.catalogue.set_states({batch: WITHDRAWING})
            pause("before_confirm")
            try:
                confirm(info)
            except BaseException:
                self._set_states({batch: CURRENT})
                raise
            pause("after_confirm")
            self._set_states({batch: WITHDRAWN})
            return info

    def _set_states(self, states: Mapping[str, str | None]) -> None:
        """Decide undecided batches, the caller holding the lock: a new state, or None to remove a
        pending batch (its rows, accounts and files). A batch withdrawn or removed no longer replaces
        the batches it replaced."""
        for relative in self.catalogue.set_states(states):
            self.store.remove(relative)
            self.store.remove(rollups.companion(relative))

    def decide_undecided(self) -> dict[str, str | None]:
        """Decide the batches a killed import or withdrawal left undecided, by asking the application
        (`on_undecided`): a pending batch whose import was recorded becomes current, else it is removed;
        a withdrawing batch whose withdrawal was recorded is withdrawn, else current again. Nothing is
        done while another process commits (it holds the lock) or when no one can answer."""
        if not deciding() or not self.catalogue.exists():
            return {}
        with self.catalogue.try_held() as held:
            if not held:
                return {}
            return self._decide_locked()

    def _decide_locked(self) -> dict[str, str | None]:
        if not deciding() or not self.catalogue.exists():
            return {}
        con = snapshot(self.catalogue)
        try:
            states = ", ".join(f"'{s}'" for s in UNDECIDED)
            found = {
                str(b): str(s)
                for b, s in con.execute(f"SELECT id, state FROM batches WHERE state IN ({states})").fetchall()
            }
        finally:
            con.close()
        if not found:
            return {}
        recorded = decider(self.home, found)
        if recorded is None:
            return {}
        decisions = decide(found, recorded)
        self._set_states(decisions)
        return decisions

    def _commit_locked(
        self, con: duckdb.DuckDBPyConnection, staged: Sequence[StagedBatch], *, pending: bool
    ) -> list[CommitResult]:
        """Place the new batches' files, work out on the catalogue's copy `con` what each replaces,
        then record them in one transaction of the catalogue (the files are removed if that fails)."""
        outcome: dict[int, CommitResult] = {}
        placed: list[tuple[int, StagedBatch, str]] = []
        current = current_batches(con, [(batch.dataset, batch.sha256) for batch in staged])
        seen: dict[tuple[str, str], str] = {}
        for i, batch in enumerate(staged):
            existing = seen.get((batch.dataset, batch.sha256)) or current.get((batch.dataset, batch.sha256))
            if existing is not None:
                outcome[i] = CommitResult(existing, batch.file_name, "unchanged", 0, (), ())
                batch.parquet.unlink(missing_ok=True)
                continue
            relative = f"{batch.dataset}/{batch.id}.parquet"
            ds = DATASETS[batch.dataset]
            if rollups.has_rollup(ds):
                staged_rollup = batch.rollup or _write_rollup(ds, batch.parquet)
                self.store.put(staged_rollup, rollups.companion(relative))
            self.store.put(batch.parquet, relative)
            placed.append((i, batch, relative))
            seen[(batch.dataset, batch.sha256)] = batch.id
        if placed:
            pause("before_catalogue")
        try:
            replaced: dict[str, str] = {}
            outcome.update(self._record_all(con, placed, replaced))
            new = {batch.id for _, batch, _ in placed}
            ids = ", ".join(quote(b) for b in new) or "NULL"
            added = [
                dataclasses.replace(record, state=PENDING if pending else CURRENT)
                for record in records(con, f"id IN ({ids})")
            ]
            self.catalogue.add(added, {old: by for old, by in replaced.items() if old not in new})
        except BaseException:
            for _, _, relative in placed:
                self.store.remove(relative)
                self.store.remove(rollups.companion(relative))
            raise
        return [outcome[i] for i in range(len(staged))]

    def _record_all(
        self,
        con: duckdb.DuckDBPyConnection,
        placed: Sequence[tuple[int, StagedBatch, str]],
        replaced: dict[str, str],
    ) -> dict[int, CommitResult]:
        """`_record` for each placed batch (index in the call, batch, path in the store), in order, with
        the same outcome: all are added to the copy at once, and from the first one that shares an
        account and days with an earlier current batch on, they are recorded one by one as `_record`
        does (one that shares none replaces nothing): a call of many new files costs a few statements."""
        if not placed:
            return {}
        if len(placed) == 1:  # (the same outcome in fewer statements: one file, as a small call has)
            i, batch, relative = placed[0]
            return {i: self._record(con, batch, relative, replaced)}
        ((last,),) = con.execute("SELECT coalesce(max(seq), 0) FROM batches").fetchall()
        last = int(last)
        insert_rows(
            con,
            [_values(last + 1 + n, batch, relative) for n, (_, batch, relative) in enumerate(placed)],
            [(batch.id, account) for _, batch, _ in placed for account in batch.accounts],
        )
        ((first,),) = con.execute(
            """
            SELECT min(n.seq) FROM batches n
            JOIN batch_accounts na ON na.batch = n.id
            JOIN batch_accounts ba ON ba.account IS NOT DISTINCT FROM na.account
            JOIN batches b ON b.id = ba.batch
            WHERE n.seq > ? AND b.dataset = n.dataset AND b.replaced_by IS NULL AND b.state = 'current'
              AND b.seq < n.seq
              AND (n.scope_from IS NULL OR b.scope_from IS NULL
                   OR (n.scope_from <= b.scope_to AND b.scope_from <= n.scope_to))
            """,
            [last],
        ).fetchall()
        alone = len(placed) if first is None else int(first) - last - 1
        results = {
            i: CommitResult(batch.id, batch.file_name, "imported", batch.row_count, (), ())
            for i, batch, _ in placed[:alone]
        }
        rest = placed[alone:]
        if rest:  # recorded again one by one, each seeing only the batches before it
            ids = [batch.id for _, batch, _ in rest]
            con.execute("DELETE FROM batch_accounts WHERE batch IN (SELECT unnest($1::VARCHAR[]))", [ids])
            con.execute("DELETE FROM batches WHERE id IN (SELECT unnest($1::VARCHAR[]))", [ids])
            for i, batch, relative in rest:
                results[i] = self._record(con, batch, relative, replaced)
        return results

    def _record(
        self, con: duckdb.DuckDBPyConnection, batch: StagedBatch, relative: str, replaced: dict[str, str]
    ) -> CommitResult:
        """Add the batch to the copy `con` (as current, so that later batches' replacements count it) and
        mark there the batches it wholly replaces (also in `replaced`: {old: new})."""
        ((seq,),) = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM batches").fetchall()
        insert_rows(con, [_values(int(seq), batch, relative)], [(batch.id, a) for a in batch.accounts])
        wholly, partly = self._replace(con, DATASETS[batch.dataset], batch.id, int(seq))
        replaced.update(dict.fromkeys(wholly, batch.id))
        return CommitResult(batch.id, batch.file_name, "imported", batch.row_count, wholly, partly)

    def _replace(
        self, con: duckdb.DuckDBPyConnection, ds: Dataset, new_id: str, new_seq: int
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Mark earlier batches all of whose rows the new batch (and later ones) replace."""
        overlapping = con.execute(
            """
            SELECT DISTINCT b.id, b.path, b.seq FROM batches b
            JOIN batch_accounts ba ON ba.batch = b.id
            JOIN batch_accounts na ON na.batch = ? AND na.account IS NOT DISTINCT FROM ba.account
            JOIN batches n ON n.id = ?
            WHERE b.dataset = ? AND b.replaced_by IS NULL AND b.state = 'current' AND b.seq < ?
              AND (n.scope_from IS NULL OR b.scope_from IS NULL
                   OR (n.scope_from <= b.scope_to AND b.scope_from <= n.scope_to))
            ORDER BY b.seq
            """,
            [new_id, new_id, ds.name, new_seq],
        ).fetchall()
        replaced: list[str] = []
        partly: list[str] = []
        for old_id, path, seq in overlapping:
            left = con.execute(
                f"SELECT count(*) FROM {_parquet([self.store.uri(path)])} r "
                f"WHERE NOT {covered_sql(ds, 'r', int(seq), 'batches', 'batch_accounts')}"
            ).fetchall()
            if left == [(0,)]:
                con.execute("UPDATE batches SET replaced_by = ? WHERE id = ?", [new_id, old_id])
                replaced.append(str(old_id))
            else:
                partly.append(str(old_id))
        return tuple(replaced), tuple(partly)

    # ---- backups -------------------------------------------------------------------------------

    def held(self, on_wait: Callable[[], None] | None = None) -> contextlib.AbstractContextManager[None]:
        """Hold the catalogue's lock: no import commits until the block ends. A commit under way when it
        is asked for finishes first (`on_wait` is called then, before waiting)."""
        return self.catalogue.held(on_wait)

    def copy_locked(self, target: Path) -> list[str]:
        """Copy the catalogue's own files (none when the application database holds it) and every file
        it names into the new folder `target`, the caller holding the lock (`held`); the files' paths
        relative to `target`, the catalogue's first. A file no batch names (left by a crash between
        placing and commit) is not copied."""
        target.mkdir(parents=True)
        copied = self.catalogue.backup(target)
        paths = self.catalogue.paths()
        present = self.store.present(rollups.companion(path) for path in paths)
        for path in paths:
            companion = rollups.companion(path)  # a batch without its roll-up is grouped when read
            for relative in (path, companion) if companion in present else (path,):
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                self.store.get(relative, target / relative)
                copied.append(relative)
        return copied

    def recover(self) -> list[str]:
        """Remove batch files no batch names (left by a crash between placing and commit); their paths."""
        with self.held():
            return self._recover_locked()

    def _recover_locked(self) -> list[str]:
        self._decide_locked()
        return self._remove_unnamed(self.catalogue.paths())

    def _copy_locked(self, con: duckdb.DuckDBPyConnection | None) -> duckdb.DuckDBPyConnection:
        """A copy of the catalogue to commit on (in `con`, else in a new connection), the caller
        holding the lock: recovered first, as `_recover_locked` does (the batches a killed import or
        withdrawal left undecided decided, the files no batch names removed), and told by the copy."""
        copy = snapshot(self.catalogue) if con is None else refresh(self.catalogue, con)
        if con is None:
            self.store.attach(copy)  # a replaced batch's rows are read from the store
        try:
            if deciding() and has_undecided(copy) and self._decide_locked():
                refresh(self.catalogue, copy)
            self._remove_unnamed([str(p) for (p,) in copy.execute("SELECT path FROM batches").fetchall()])
        except BaseException:
            if con is None:
                copy.close()
            raise
        return copy

    def _remove_unnamed(self, paths: Sequence[str]) -> list[str]:
        """Remove the store's files that none of the batches' `paths` (nor their roll-ups) names."""
        known = {*paths, *(rollups.companion(p) for p in paths)}
        removed = [relative for relative in self.store.files() if relative not in known]
        for relative in removed:
            self.store.remove(relative)
        return removed


def _values(seq: int, batch: StagedBatch, relative: str) -> list[object]:
    """The catalogue row (BATCH_COLUMNS' values) of a new batch, current in a snapshot."""
    return [
        seq,
        batch.id,
        batch.dataset,
        batch.file_name,
        batch.sha256,
        batch.profile,
        batch.row_count,
        batch.imported_by,
        batch.imported_at,
        None,
        batch.period,
        relative,
        batch.scope_from,
        batch.scope_to,
        CURRENT,
        batch.sheet,
    ]


def current_batches(
    con: duckdb.DuckDBPyConnection, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """{(dataset, sha256): the current batch imported from a file with this checksum} for `keys`, from
    a snapshot of the catalogue `con`: one statement for a call's many files."""
    if not keys:
        return {}
    wanted = set(keys)
    found: dict[tuple[str, str], str] = {}
    for dataset, sha256, batch in con.execute(
        f"SELECT dataset, sha256, id FROM batches b WHERE sha256 IN (SELECT unnest($1::VARCHAR[])) "
        f"AND {current_sql('b')} ORDER BY seq",
        [sorted({sha256 for _, sha256 in wanted})],
    ).fetchall():
        found.setdefault((str(dataset), str(sha256)), str(batch))
    return {key: batch for key, batch in found.items() if key in wanted}


def covered_sql(ds: Dataset, alias: str, seq: int, batches: str, accounts: str) -> str:
    """True for a row (of a batch with sequence `seq`) that a later batch of `ds` replaces."""
    return (
        f"EXISTS (SELECT 1 FROM {batches} c JOIN {accounts} ca ON ca.batch = c.id "
        f"WHERE c.dataset = {quote(ds.name)} AND c.seq > {seq} AND c.state = '{CURRENT}' "
        f"AND ca.account IS NOT DISTINCT FROM {scope.account_sql(ds, alias)} "
        f"AND (c.scope_from IS NULL OR {scope.day_sql(ds, alias)} BETWEEN c.scope_from AND c.scope_to))"
    )


def _parquet(paths: Sequence[str]) -> str:
    files = "[" + ", ".join(quote(str(p)) for p in paths) + "]"
    return f"read_parquet({files}, union_by_name = true)"


def _numbered(paths: Sequence[str]) -> str:
    """The batches' rows with `_row`, the row of the imported file (NULL in a batch written before
    imports kept it, or loaded without a file); DuckDB still pushes filters and projections down."""
    return (
        f"(SELECT * FROM {_parquet(paths)} UNION ALL BY NAME SELECT CAST(NULL AS BIGINT) AS _row WHERE false)"
    )


def _write_rollup(ds: Dataset, parquet: Path) -> Path:
    """The roll-up of a staged batch file, written and fsynced next to it."""
    out = parquet.with_name(parquet.stem + rollups.FOLDER_SUFFIX + ".parquet")
    # a bounded memory (a 100-million-row batch spills its grouping to disk next to it)
    spill = parquet.with_name(parquet.stem + ".spill")
    con = duckdb.connect(":memory:", config={"memory_limit": ROLLUP_MEMORY, "temp_directory": str(spill)})
    try:
        con.execute("SET enable_progress_bar = false")
        source = f"read_parquet({quote(str(parquet))})"
        con.execute(
            f"COPY ({rollups.grouped_sql(ds, source)}) TO {quote(str(out))} (FORMAT parquet, COMPRESSION zstd)"
        )
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    fsync_file(out)
    return out


def fsync_file(path: Path) -> None:
    with path.open("rb") as f:
        os.fsync(f.fileno())
