"""`restore_backup`: a backup into a new, empty home; its database SQLite there, or PostgreSQL (a
SQLite database copied row by row by `database_copy`, a PostgreSQL dump loaded by `postgres_dump`).

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
from shopkpi.appraisal.backups.manifest import DATABASE, BackupError, Manifest, verify

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
    try:
        if any(f.path == SECRET_KEY for f in manifest.files):  # before Django, which would make a new one
            _copy(backup, staging, SECRET_KEY)
            (staging / SECRET_KEY).chmod(0o600)
        _set_up_django(staging, database_url)
        if database_url:
            _check_empty_database()
        for item in manifest.files:
            if item.path in (SECRET_KEY, postgres_dump.DUMP):  # a dump is loaded from the backup itself
                continue
            moved = database_url and item.path == DATABASE  # copied from there into PostgreSQL
            _copy(backup, staging, item.path, SOURCE_COPY if moved else None)
        say(f"files of the backup copied ({len(manifest.files)})")
        engine = _restore_database(staging, backup, manifest, bool(database_url), say)
        entries = _verified_audit_log()
        from django.db import connections

        connections.close_all()
        (staging / SOURCE_COPY).unlink(missing_ok=True)
        os.replace(staging, home)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Restored(home, manifest, engine, entries)


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
