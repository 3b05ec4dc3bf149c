"""`restore_backup`: a backup into a new, empty home; its database SQLite there, or PostgreSQL (a
SQLite database copied row by row by `database_copy`, a PostgreSQL dump loaded by `postgres_dump`);
its batch files into the home's warehouse folder, or into the store SHOPKPI_STORE_URL names (another
folder, or S3-compatible object storage), as the restored home's servers will read them.

Refusals come first and change nothing: a damaged backup (every file's size and SHA-256 are checked
against the manifest), a home that is not empty, a PostgreSQL database that already holds tables.
The home is then assembled in a hidden folder beside it and renamed into place only once its
database is migrated to this version and its audit log verified; a failure on the way removes that
folder, and the PostgreSQL copy is one transaction, so a failed restore leaves nothing behind either.

Django is set up here, for the folder being assembled: call this in a process that has not set it up.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shopkpi.appraisal.backups import postgres_dump
from shopkpi.appraisal.backups.manifest import DATABASE, WAREHOUSE, BackupError, Manifest, verify
from shopkpi.data.warehouse.batch_store import BatchStore, LocalStore, open_store

SETTINGS_MODULE = "shopkpi.config.settings"
SOURCE_COPY = ".restore-source.sqlite3"  # the backup's database while it is copied into PostgreSQL
SECRET_KEY = "secret_key"

Say = Callable[[str], None]


@dataclass(frozen=True)
class Restored:
    home: Path
    manifest: Manifest
    engine: str  # "sqlite" or "postgresql"
    audit_entries: int


def restore_backup(backup: Path, home: Path, database_url: str | None, say: Say = print) -> Restored:
    manifest = verify(backup)
    home = home.expanduser().absolute()
    _check_request(manifest, home, database_url)
    home.parent.mkdir(parents=True, exist_ok=True)
    staging = home.parent / f".{home.name}.restoring-{secrets.token_hex(4)}"
    staging.mkdir()
    batch_files: BatchFiles | None = None
    try:
        if any(f.path == SECRET_KEY for f in manifest.files):  # before Django, which would make a new one
            _copy(backup, staging, SECRET_KEY)
            (staging / SECRET_KEY).chmod(0o600)
        _set_up_django(staging, database_url)
        if database_url:
            _check_empty_database()
        batch_files = BatchFiles(open_store(staging), staging)
        for item in manifest.files:
            if item.path in (SECRET_KEY, postgres_dump.DUMP):  # a dump is loaded from the backup itself
                continue
            if batch_files.elsewhere and batch_files.is_batch(item.path):
                batch_files.put(backup / item.path, item.path)
                continue
            moved = database_url and item.path == DATABASE  # copied from there into PostgreSQL
            _copy(backup, staging, item.path, SOURCE_COPY if moved else None)
        say(f"files of the backup copied ({len(manifest.files)}{batch_files.said()})")
        engine = _restore_database(staging, backup, manifest, bool(database_url), say)
        entries = _verified_audit_log()
        from django.db import connections

        connections.close_all()
        (staging / SOURCE_COPY).unlink(missing_ok=True)
        os.replace(staging, home)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if batch_files is not None:
            batch_files.remove_put()
        raise
    return Restored(home, manifest, engine, entries)


class BatchFiles:
    """The backup's batch files (`warehouse/<dataset>/<batch>.parquet`) going into the store the
    restored home uses: its own folder (copied with the home's other files), or another folder or
    object storage (SHOPKPI_STORE_URL, as the servers of the restored home will have it: `elsewhere`).
    A file the store already holds is left as it is (a batch's file never changes); those put are
    removed again if the restore fails."""

    def __init__(self, store: BatchStore, home: Path) -> None:
        self.store = store
        self.elsewhere = not (isinstance(store, LocalStore) and store.root == home / WAREHOUSE)
        self.put_here: list[str] = []
        self.kept = 0

    def is_batch(self, path: str) -> bool:
        folder, _, rest = path.partition("/")
        return folder == WAREHOUSE and rest.count("/") == 1 and rest.endswith(".parquet")

    def put(self, source: Path, path: str) -> None:
        relative = path.partition("/")[2]
        if self.store.present([relative]):
            self.kept += 1
            return
        staged = source.parent / f".{source.name}.restoring-{secrets.token_hex(4)}"
        shutil.copy2(source, staged)
        try:
            self.store.put(staged, relative)
        finally:
            staged.unlink(missing_ok=True)
        self.put_here.append(relative)

    def said(self) -> str:
        if not self.elsewhere:
            return ""
        return f"; batch files into {self.store!r}: {len(self.put_here)} put, {self.kept} already there"

    def remove_put(self) -> None:
        for relative in self.put_here:
            self.store.remove(relative)


def _check_request(manifest: Manifest, home: Path, database_url: str | None) -> None:
    if home.exists() and (not home.is_dir() or any(home.iterdir())):
        raise BackupError(
            "home_not_empty", f"the home {home} is not empty: restore into a new or empty folder (--home)"
        )
    if database_url and not database_url.startswith(("postgres://", "postgresql://")):
        raise BackupError(
            "not_postgresql",
            "--database-url names a PostgreSQL database (postgres://user@host:5432/name); "
            "without it the database is SQLite in the home",
        )
    if manifest.database == "postgresql" and not database_url:
        raise BackupError(
            "needs_postgresql",
            "the backup's database is PostgreSQL (a pg_dump): give --database-url of an empty PostgreSQL database",
        )
    if manifest.database not in ("sqlite", "postgresql"):
        raise BackupError(
            "unknown_database", f"the backup's database is {manifest.database}: shopkpi cannot restore it"
        )


def _copy(backup: Path, staging: Path, relative: str, rename: str | None = None) -> None:
    target = staging / (rename or relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(backup / relative, target)


def _set_up_django(home: Path, database_url: str | None) -> None:
    import django
    from django.conf import settings

    if settings.configured:
        raise BackupError(
            "already_set_up", "this process is already set up for a home; restore in a new process"
        )
    os.environ["SHOPKPI_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    if database_url:
        os.environ["SHOPKPI_DATABASE_URL"] = database_url
    else:
        os.environ.pop("SHOPKPI_DATABASE_URL", None)
    django.setup()


def _check_empty_database() -> None:
    from django.db import DatabaseError, connection

    try:
        tables = connection.introspection.table_names()
    except DatabaseError as error:
        raise BackupError("database_unreachable", f"cannot open the database: {error}".strip()) from None
    if tables:
        raise BackupError(
            "database_not_empty",
            f"the database {connection.settings_dict['NAME']} already holds tables ({', '.join(sorted(tables)[:5])} …): "
            "restore into a new, empty database (createdb)",
        )


def _restore_database(staging: Path, backup: Path, manifest: Manifest, to_postgresql: bool, say: Say) -> str:
    from django.core.management import call_command
    from django.db import connection

    if manifest.database == "postgresql":
        postgres_dump.restore(backup / postgres_dump.DUMP)
        _compare_counts(manifest)
        say("database loaded with pg_restore")
    elif to_postgresql:
        from shopkpi.appraisal.backups.database_copy import attach_source, copy_database

        attach_source(staging / SOURCE_COPY)
        copy_database(say)
    call_command("migrate", interactive=False, verbosity=0)  # a backup of an older version: this one
    from shopkpi.appraisal.importing.batch_catalogue import adopt_local_catalogue

    adopt_local_catalogue(staging)  # a backup of a version whose catalogue was a file of the warehouse
    return str(connection.vendor)


def _compare_counts(manifest: Manifest) -> None:
    """Every table holds the rows the manifest counted (before migrations of a newer version add any)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table, expected in manifest.counts.get("database", {}).items():
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            found = int(cursor.fetchone()[0])
            if found != expected:
                raise BackupError(
                    "count_mismatch", f"{table}: {expected} rows in the backup, {found} restored"
                )


def _verified_audit_log() -> int:
    from shopkpi.appraisal import audit
    from shopkpi.appraisal.models import AuditEntry

    broken = audit.verify()
    if broken is not None:
        raise BackupError(
            "audit_broken", f"the restored audit log is broken at entry {broken.entry_id}: {broken.reason}"
        )
    return AuditEntry.objects.count()
