"""Import export files into the warehouse: stage → validate → check → commit, all or nothing.

Every file of one call is read and validated first; if any file has a problem, nothing is
imported and `ImportRefused` lists every problem (file, row, column, reason). Otherwise the check
step lists the warnings (`import_warnings`: rows outside the period, empty money cells …), and a
commit writes all files in one catalogue transaction. A file already imported (same dataset, same
checksum, still current) is reported as unchanged and changes nothing.

The data is written once: DuckDB parses and checks every cell into a temporary table (a plain UTF-8
CSV read by DuckDB itself, any other file first streamed to a raw Parquet file by the reading
process), the warnings are read from it, and the batch's Parquet and roll-up are written from it in
the staging folder; no whole file is held in Python objects. All the files of one call share one
process, one DuckDB connection (the commit's copy of the catalogue is made in it too), one sandboxed
reading process (`staging.stage_raw_many`), one statement for the files of one shape
(`validation.validate_staged`: a month's 千牛 workbooks, one per shop) and, at the commit, one
catalogue transaction; each file is still its own batch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import os
import secrets
import shutil
import time
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from shopkpi.data.datasets import DATASETS, Dataset
from shopkpi.data.imports import csv_direct
from shopkpi.data.imports.import_warnings import AccountOwner, file_warnings, group_warnings, load_owners
from shopkpi.data.imports.profiles import InvalidProfiles, Profile, profiles_for
from shopkpi.data.imports.validation import FileToRead, TypedFile, column_labels, drop, read_and_validate_many
from shopkpi.data.imports.value_sql import quote
from shopkpi.data.problems import DataWarning, ImportProblem, ImportRefused, ProblemList
from shopkpi.data.warehouse import rollups
from shopkpi.data.warehouse.catalogue import (
    CommitResult,
    StagedBatch,
    Warehouse,
    current_batches,
    fsync_file,
)
from shopkpi.scorecard.periods import Period, PeriodError

DEFAULT_TIMEZONE = "Asia/Shanghai"  # the company's time zone when none is given (SHOPKPI_TIME_ZONE)
STAGING = ".import-staging"
STAGING_KEEP_SECONDS = 24 * 3600  # no import runs for a day

Progress = Callable[[str, int, int], None]  # (file name, bytes read, file size)


@dataclass(frozen=True)
class FileOutcome:
    file: str
    status: str  # "imported" or "unchanged"
    batch: str
    profile: str
    format: str
    rows: int
    skipped_rows: int  # summary rows left out (千牛's 汇总值 ...)
    replaced: tuple[str, ...] = ()
    partly_replaced: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Prepared:
    staged: StagedBatch
    format: str
    skipped: int


@dataclass
class CheckedImport:
    """Files read, validated and checked, not yet written: their planned outcomes (status "checked",
    or "unchanged" for a file already imported) and their warnings. `commit` writes them."""

    dataset: str
    outcomes: tuple[FileOutcome, ...]
    warnings: tuple[DataWarning, ...]
    _warehouse: Warehouse
    _prepared: tuple[_Prepared | FileOutcome, ...]
    _con: duckdb.DuckDBPyConnection | None = None  # the call's connection, reused by the commit
    _committed: bool = False

    def commit(self, confirm: Callable[[list[FileOutcome]], None] | None = None) -> list[FileOutcome]:
        """Write the checked files into the warehouse, all in one catalogue transaction. With
        `confirm`, the new batches become current only once `confirm(outcomes)` has returned (the
        application records the import there); if it raises, nothing stays written."""
        if self._committed:
            raise RuntimeError("an import is committed once")
        self._committed = True
        to_commit = [p.staged for p in self._prepared if isinstance(p, _Prepared)]
        if not to_commit:
            outcomes = [p for p in self._prepared if isinstance(p, FileOutcome)]
            if confirm is not None:
                confirm(outcomes)
            return outcomes
        found: list[FileOutcome] = []

        def confirmed(results: list[CommitResult]) -> None:
            found[:] = self._outcomes(results)
            if confirm is not None:
                confirm(found)

        results = self._warehouse.commit(
            to_commit, confirm=confirmed if confirm is not None else None, con=self._con
        )
        return found if confirm is not None else self._outcomes(results)

    def _outcomes(self, results: Sequence[CommitResult]) -> list[FileOutcome]:
        committed = iter(results)
        outcomes: list[FileOutcome] = []
        for p in self._prepared:
            if isinstance(p, FileOutcome):
                outcomes.append(p)
                continue
            result = next(committed)
            outcomes.append(
                FileOutcome(
                    file=p.staged.file_name,
                    status=result.status,
                    batch=result.batch,
                    profile=p.staged.profile,
                    format=p.format,
                    rows=p.staged.row_count if result.status == "imported" else 0,
                    skipped_rows=p.skipped,
                    replaced=result.replaced,
                    partly_replaced=result.partly_replaced,
                )
            )
        return outcomes


def import_files(
    home: Path,
    dataset: str,
    files: Sequence[Path],
    *,
    profile: str | None = None,
    period: str | None = None,
    user: str | None = None,
    sets: Mapping[str, str] | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    progress: Progress | None = None,
) -> list[FileOutcome]:
    """Import `files` into `dataset`, warnings or not; ImportRefused (and no change) if any file has a
    problem. (The application's import service shows the warnings first: `checked_import`.)"""
    with checked_import(
        home,
        dataset,
        files,
        profile=profile,
        period=period,
        user=user,
        sets=sets,
        timezone=timezone,
        progress=progress,
    ) as checked:
        return checked.commit()


@contextlib.contextmanager
def checked_import(
    home: Path,
    dataset: str,
    files: Sequence[Path],
    *,
    profile: str | None = None,
    period: str | None = None,
    user: str | None = None,
    sets: Mapping[str, str] | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    progress: Progress | None = None,
    owners: Iterable[AccountOwner] | None = None,
) -> Iterator[CheckedImport]:
    """Read, validate and check `files` for `dataset`: ImportRefused (and no change) if any file has a
    problem, else the checked import with its warnings, to `commit` inside the `with` block (its
    staged files are removed when the block ends). `owners` is the account ownership the
    `unowned_account` warning reads: the organisation's snapshot (None: unknown, no such warning)."""
    problems = ProblemList()
    target = _check_arguments(dataset, period, sets or {}, timezone, problems)
    profiles: list[Profile] = []
    if target is not None:
        try:
            profiles = profiles_for(dataset, home)
        except InvalidProfiles as error:
            for e in error.errors:
                problems.add(e.file, None, e.path or None, e.reason)
    problems.refuse_if_any()
    assert target is not None
    warehouse = Warehouse(home)
    who = user or os_user()
    staging_root = home / STAGING
    _remove_old_staging(staging_root)
    stage = staging_root / f"{os.getpid()}-{secrets.token_hex(4)}"
    stage.mkdir(parents=True)
    # one connection for every file of the call: the warehouse as it is now (for the warnings and the
    # files already imported) and each file's rows, read, checked and written from it
    con = _staging_connection(warehouse, stage, target)
    try:
        load_owners(con, owners)
        prepared, warnings = _prepare(
            files,
            target,
            stage,
            problems,
            con,
            profile=profile,
            period=period,
            user=who,
            sets=sets or {},
            timezone=timezone,
            progress=progress,
            profiles=profiles,
        )
        _overlapping_files([p.staged for p in prepared if isinstance(p, _Prepared)], problems)
        problems.refuse_if_any([path.name for path in files])
        planned = tuple(
            p
            if isinstance(p, FileOutcome)
            else FileOutcome(
                file=p.staged.file_name,
                status="checked",
                batch=p.staged.id,
                profile=p.staged.profile,
                format=p.format,
                rows=p.staged.row_count,
                skipped_rows=p.skipped,
            )
            for p in prepared
        )
        yield CheckedImport(target.name, planned, tuple(warnings), warehouse, tuple(prepared), _con=con)
    finally:
        con.close()
        shutil.rmtree(stage, ignore_errors=True)
        _remove_if_empty(staging_root)


def company_now(timezone: str) -> dt.datetime:
    """The wall-clock time now in the company's time zone, to the second, without the zone (the
    catalogue's `imported_at` and batch names are in the company's time, whatever the server's)."""
    return dt.datetime.now(zoneinfo.ZoneInfo(timezone)).replace(tzinfo=None, microsecond=0)


def _check_arguments(
    dataset: str, period: str | None, sets: Mapping[str, str], timezone: str, problems: ProblemList
) -> Dataset | None:
    target = DATASETS.get(dataset)
    if target is None:
        problems.add("DATASET", None, None, f"unknown dataset {dataset!r}; known: {', '.join(DATASETS)}")
        return None
    if target.organisation:
        problems.add(
            "DATASET",
            None,
            None,
            f"{dataset} is the organisation, kept in the application database: "
            f"import it with `shopkpi import {dataset}` (the organisation service), not into the warehouse",
        )
        return None
    if period is not None and not _is_month(period):
        problems.add("--period", None, None, f"not a period: {period!r} (write 2026-10)")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.add("--timezone", None, None, f"unknown time zone {timezone!r} (e.g. Asia/Shanghai)")
    for column in sets:
        if column not in target.column_names:
            problems.add("--set", None, column, f"{dataset} has no column {column!r}")
    return target


@dataclass(frozen=True)
class _ToRead:
    index: int  # in the call's files
    digest: str
    now: dt.datetime
    read: FileToRead


def _prepare(
    files: Sequence[Path],
    target: Dataset,
    stage: Path,
    problems: ProblemList,
    con: duckdb.DuckDBPyConnection,
    *,
    profile: str | None,
    period: str | None,
    user: str,
    sets: Mapping[str, str],
    timezone: str,
    progress: Progress | None,
    profiles: Sequence[Profile],
) -> tuple[list[_Prepared | FileOutcome], list[DataWarning]]:
    """Each file read, validated, checked for warnings and written as a batch in the staging folder
    (or refused, or unchanged: already imported): the files' outcomes in their order, and the warnings."""
    prepared: list[_Prepared | FileOutcome] = [_refused(path.name) for path in files]
    to_read: list[_ToRead] = []
    digests: dict[int, tuple[csv_direct.ScannedFile, int]] = {}  # (checksum …, size) of each readable file
    for n, path in enumerate(files):
        try:  # its checksum, and whether DuckDB may read it directly, in one pass over its bytes
            digests[n] = (csv_direct.scan_file(path), path.stat().st_size)
        except OSError as error:
            problems.add(path.name, None, None, f"cannot read the file: {error.strerror or error}")
    current = current_batches(con, [(target.name, scanned.sha256) for scanned, _ in digests.values()])
    for n, (scanned, size) in digests.items():
        digest = scanned.sha256
        path = files[n]
        name = path.name
        existing = current.get((target.name, digest))
        if existing is not None:
            prepared[n] = FileOutcome(name, "unchanged", existing, "", "", 0, 0)
            continue
        folder = stage / str(n)
        folder.mkdir(parents=True)
        file = FileToRead(
            path,
            folder,
            f"_typed_{n}",
            ProblemList(cap=problems.cap),
            _on_bytes(progress, name, size),
            scanned.simple_lines,
        )
        to_read.append(_ToRead(n, digest, company_now(timezone), file))
    warnings: dict[int, list[DataWarning]] = {}
    of_group: dict[str, list[list[DataWarning]]] = {}  # the warnings of a group's files, by its table
    reads = read_and_validate_many(
        [t.read for t in to_read], profiles, profile, sets, target, con, timezone=timezone
    )
    # the files are answered out of their order (the direct CSVs first): their problems are taken in
    # the order the files were given, so that the first ones under the cap are the first files'
    answered: dict[int, ProblemList] = {}
    taken = 0
    for k, found in reads:
        n, digest, now, file = to_read[k].index, to_read[k].digest, to_read[k].now, to_read[k].read
        name = file.path.name
        answered[k] = file.problems
        while taken in answered:
            problems.extend(answered[taken].items)
            problems.truncated = problems.truncated or answered.pop(taken).truncated
            taken += 1
        raw, typed = found if found is not None else (None, None)
        if raw is None or typed is None or file.problems:
            drop(con, file.name)
            continue
        labels = column_labels(target, raw.fit)
        together = typed.together
        if together is None:
            warnings[n] = file_warnings(con, target, typed.view, name, labels, list(raw.fit.columns), period)
        else:  # the warnings of every file of its group at once (a group's files share columns and labels)
            if together.table not in of_group:
                of_group.clear()  # (the group before is gone)
                of_group[together.table] = group_warnings(
                    con, target, together.table, together.files, labels, list(raw.fit.columns), period
                )
            warnings[n] = of_group[together.table][together.index]
        batch_id = f"{target.name}-{now:%Y%m%dT%H%M%S}-{digest[:8]}-{secrets.token_hex(2)}"
        final, rollup = write_batch(con, target, typed, batch_id, file.folder)
        drop(con, file.name)
        staged = StagedBatch(
            id=batch_id,
            dataset=target.name,
            file_name=name,
            sha256=digest,
            profile=raw.fit.profile.name,
            row_count=typed.rows,
            imported_by=user,
            imported_at=now,
            period=period,
            parquet=final,
            rollup=rollup,
            accounts=typed.accounts,
            scope_from=typed.scope_from,
            scope_to=typed.scope_to,
            sheet=raw.sheet,
        )
        prepared[n] = _Prepared(staged=staged, format=raw.format, skipped=typed.skipped)
    return prepared, [w for n in sorted(warnings) for w in warnings[n]]


def _refused(name: str) -> FileOutcome:
    return FileOutcome(name, "refused", "", "", "", 0, 0)


def _on_bytes(progress: Progress | None, name: str, size: int) -> Callable[[int], None] | None:
    """The file's bytes read, as they grow: a file read again from its start (the direct way given up
    for the ordinary one, or a fresh reading process after a limit) is shown where it had got to until
    the new reading passes it, never going back."""
    if progress is None:
        return None
    shown = -1

    def on_bytes(done: int) -> None:
        nonlocal shown
        if done > shown:
            shown = done
            progress(name, done, size)

    return on_bytes


def _overlapping_files(staged: Sequence[StagedBatch], problems: ProblemList) -> None:
    """Two different files of one command for the same accounts and days: the later would silently
    replace the earlier, which is never what someone importing both means."""
    for i, later in enumerate(staged):
        for earlier in staged[:i]:
            if earlier.sha256 == later.sha256:
                continue  # the same content twice imports once
            shared = set(earlier.accounts) & set(later.accounts)
            if not shared:
                continue
            if later.scope_from is not None and earlier.scope_from is not None:
                assert later.scope_to is not None and earlier.scope_to is not None
                if later.scope_from > earlier.scope_to or earlier.scope_from > later.scope_to:
                    continue
            example = sorted(str(a) for a in shared)[0]
            problems.add(
                later.file_name,
                None,
                None,
                f"covers the same accounts and days as {earlier.file_name} (e.g. {example}); "
                "import them as one file, or one after the other if this one corrects the other",
            )


def _staging_connection(warehouse: Warehouse, stage: Path, target: Dataset) -> duckdb.DuckDBPyConnection:
    """The warehouse's connection (its catalogue and the target dataset's view as they are now), bounded
    for reading files: rows past the memory limit spill to the staging folder; insertion order is kept,
    for row numbers."""
    con = warehouse.connect(datasets=[target.name])
    con.execute("SET memory_limit = '1GB'")
    con.execute("SET threads = 2")
    con.execute(f"SET temp_directory = {quote(str(stage / 'tmp'))}")
    con.execute("SET preserve_insertion_order = true")
    return con


def write_batch(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, typed: TypedFile, batch: str, folder: Path
) -> tuple[Path, Path | None]:
    """The batch's final Parquet and (for a dataset that declares one) its roll-up, both written from
    the validated rows in `con` and fsynced in `folder`: (batch file, roll-up file or None)."""
    final = folder / "final.parquet"
    columns = ", ".join(f'"{c.name}"' for c in dataset.columns)
    rows = f"(SELECT {columns}, {quote(batch)} AS _batch, _row FROM {typed.view})"
    con.execute(f"COPY {rows} TO {quote(str(final))} (FORMAT parquet, COMPRESSION zstd)")
    fsync_file(final)
    if not rollups.has_rollup(dataset):
        return final, None
    rollup = folder / "rollup.parquet"
    con.execute(
        f"COPY ({rollups.grouped_sql(dataset, rows)}) TO {quote(str(rollup))} (FORMAT parquet, COMPRESSION zstd)"
    )
    fsync_file(rollup)
    return final, rollup


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def _remove_old_staging(root: Path) -> None:
    """Staging folders untouched for STAGING_KEEP_SECONDS (left by killed imports). By their age only:
    on a home several servers share, a younger folder may be another machine's import at work."""
    if not root.is_dir():
        return
    now = time.time()
    for folder in root.iterdir():
        with contextlib.suppress(OSError):
            if now - folder.stat().st_mtime > STAGING_KEEP_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


__all__ = [
    "AccountOwner",
    "CheckedImport",
    "DataWarning",
    "FileOutcome",
    "ImportProblem",
    "ImportRefused",
    "checked_import",
    "import_files",
]


def _is_month(period: str) -> bool:
    """Whether `period` is a month `2026-10`: the imported datasets are kept by month."""
    try:
        return Period.of_kind(period, "month").text == period
    except PeriodError:
        return False
