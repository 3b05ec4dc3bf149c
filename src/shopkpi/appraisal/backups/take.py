"""`take_backup`: a consistent snapshot of a running home into a new folder, with its manifest.

With the warehouse lock held (an import committing finishes first, the next waits), the batch files
the warehouse's catalogue names are copied (from its store: the home's folder or object storage) and
the application database, which holds the catalogue, is copied: SQLite with its online backup API,
PostgreSQL with pg_dump (`postgres_dump`); so an import is either wholly in the backup or wholly out
of it. The home's other files (the secret key, the company's import
profiles and metrics …) are copied beside them. The folder mirrors the home; `manifest.json` lists every file with its size
and SHA-256. The backup is written to a hidden folder next to the output and renamed to it when
complete, so a half-written backup never looks like one.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from django.db import connection

from shopkpi import __version__
from shopkpi.appraisal.backups import postgres_dump
from shopkpi.appraisal.backups.manifest import DATABASE, NAME, WAREHOUSE, BackupError, Manifest, describe
from shopkpi.appraisal.company import company_name
from shopkpi.data.warehouse.catalogue import Warehouse, current_sql

# not copied from the home: the live database (taken by the online backup, with its journal files), the
# warehouse (taken under its lock), the static files (rebuilt), and hidden transient files (import staging, locks)
LEFT_OUT = {DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm", f"{DATABASE}-journal", WAREHOUSE, "static"}

Say = Callable[[str], None]


def take_backup(home: Path, output: Path, say: Say = print) -> Manifest:
    """Back up `home` (whose application database Django is set up for) into the new folder `output`."""
    home, output = home.resolve(), output.resolve()
    _check_output(home, output)
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(
            "unsupported_database",
            f"the application database is {connection.vendor}: `shopkpi backup` takes SQLite and PostgreSQL homes",
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.parent / f".{output.name}.partial-{secrets.token_hex(4)}"
    partial.mkdir()
    try:
        files = _copy_other_files(home, partial)
        warehouse = Warehouse(home)
        with warehouse.held(on_wait=lambda: say("waiting for an import that is committing …")):
            files += [f"{WAREHOUSE}/{p}" for p in warehouse.copy_locked(partial / WAREHOUSE)]
            warehouse_counts = _warehouse_counts(warehouse)
            if connection.vendor == "sqlite":
                _online_backup(Path(str(connection.settings_dict["NAME"])), partial / DATABASE)
                database_file, database_counts = DATABASE, _table_counts(partial / DATABASE)
            else:
                database_file, database_counts = (
                    postgres_dump.DUMP,
                    postgres_dump.dump(partial / postgres_dump.DUMP),
                )
        files.append(database_file)
        manifest = Manifest(
            version=__version__,
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            company=company_name(),
            database=str(connection.vendor),
            files=tuple(describe(partial, f) for f in sorted(files)),
            counts={"database": database_counts, "warehouse": warehouse_counts},
        )
        (partial / NAME).write_text(manifest.to_json(), encoding="utf-8")
        _fsync_tree(partial)
        os.replace(partial, output)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _check_output(home: Path, output: Path) -> None:
    if output == home or home in output.parents:
        raise BackupError("output_in_home", f"{output} is inside the home {home}: put backups outside it")
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise BackupError(
            "output_not_empty", f"{output} already exists and is not empty: name a new or empty folder"
        )


def _copy_other_files(home: Path, target: Path) -> list[str]:
    copied: list[str] = []
    for entry in sorted(home.iterdir()):
        if entry.name in LEFT_OUT or entry.name.startswith("."):
            continue
        paths = [entry] if entry.is_file() else sorted(p for p in entry.rglob("*") if p.is_file())
        for path in paths:
            relative = path.relative_to(home).as_posix()
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / relative)
            copied.append(relative)
    return copied


def _online_backup(source: Path, target: Path) -> None:
    """Copy the SQLite database with SQLite's online backup API: one consistent state, writers unharmed."""
    live = sqlite3.connect(source, timeout=60)
    copy = sqlite3.connect(target)
    try:
        live.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, whatever the live one uses
        check = copy.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            raise BackupError(
                "database_damaged", f"the application database fails SQLite's check: {check[:3]}"
            )
    finally:
        copy.close()
        live.close()


def _table_counts(database: Path) -> dict[str, int]:
    con = sqlite3.connect(database)
    try:
        tables = [
            str(name)
            for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {t: int(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables}
    finally:
        con.close()


def _warehouse_counts(warehouse: Warehouse) -> dict[str, int]:
    """The catalogue's batches, current batches and current rows, the caller holding its lock."""
    con = warehouse.connect()
    try:
        current = current_sql("b")
        row = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {current}), "
            f"coalesce(sum(row_count) FILTER (WHERE {current}), 0) FROM batches b"
        ).fetchone()
    finally:
        con.close()
    batches, current, rows = row if row is not None else (0, 0, 0)
    return {"batches": int(batches), "current_batches": int(current), "current_rows": int(rows)}


def _fsync_tree(folder: Path) -> None:
    for path in [*folder.rglob("*"), folder]:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
