"""Copying the application database row by row from a backup's SQLite file into another database
(PostgreSQL), every value exact: ids, timestamps to the microsecond, decimals, JSON, audit hashes.

The target is migrated and filled in ONE transaction: either the whole company arrives or nothing
does. The rows `migrate` makes itself (content types, permissions) are cleared first, then each
table's rows are inserted with their primary keys, tables in the order of their foreign keys
(PostgreSQL checks the keys of cycles, like an employee's supervisor, at commit). Rows are INSERTed
as they are, never saved through the models, so no `auto_now` stamp is renewed; the audit log is only
appended to, its append-only trigger in force throughout. The sequences are then set past the
highest ids, every table's row count compared with the source's, and the audit log's hash chain
verified before the transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction

from shopkpi.appraisal import audit
from shopkpi.appraisal.backups.manifest import BackupError
from shopkpi.appraisal.models import AuditEntry

SOURCE = "backup"  # the Django database alias of the backup's SQLite file while it is copied
CHUNK = 1000
NOT_COPIED = {"django_migrations"}  # the target records its own migrations

Say = Callable[[str], None]


def attach_source(path: Path) -> None:
    """Make the SQLite file `path` Django's database `SOURCE` (beside the default one)."""
    configured = connections.configure_settings(
        {
            DEFAULT_DB_ALIAS: dict(connections.settings[DEFAULT_DB_ALIAS]),
            SOURCE: {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)},
        }
    )
    connections.settings[SOURCE] = configured[SOURCE]


def copy_database(say: Say) -> dict[str, int]:
    """Copy every row of `SOURCE` into the empty default database; the rows copied per table."""
    call_command("migrate", database=SOURCE, interactive=False, verbosity=0)  # an older backup: this version
    ordered = in_dependency_order()
    _check_every_table_is_known(ordered)
    target = connections[DEFAULT_DB_ALIAS]
    copied: dict[str, int] = {}
    try:
        with transaction.atomic():
            call_command("migrate", interactive=False, verbosity=0)
            _clear_rows_of_migrate(ordered)
            for model in ordered:
                copied[model._meta.db_table] = _copy(model)
            with target.cursor() as cursor:
                for statement in target.ops.sequence_reset_sql(no_style(), ordered):
                    cursor.execute(statement)
            _compare_counts(ordered)
            broken = audit.verify()
            if broken is not None:
                raise BackupError("audit_broken", f"after the copy the audit log is broken: {broken.reason}")
    except DatabaseError as error:
        raise BackupError(
            "copy_failed", f"the copy into the database failed, nothing was kept: {error}"
        ) from None
    say(f"copied {sum(copied.values())} rows of {len(copied)} tables")
    return copied


def in_dependency_order() -> list[type[models.Model]]:
    """Every table's model (many-to-many tables too), each after the models its foreign keys point to."""
    found = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    ordered: list[type[models.Model]] = []
    seen: set[type[models.Model]] = set()

    def visit(model: type[models.Model]) -> None:
        if model in seen:
            return
        seen.add(model)  # marked first: a cycle is cut here (its keys are checked at commit)
        for field in model._meta.concrete_fields:
            related = field.remote_field.model if field.remote_field else None
            if isinstance(related, type) and related is not model:
                visit(related)
        ordered.append(model)

    for model in sorted(found, key=lambda m: m._meta.label):
        visit(model)
    return ordered


def _check_every_table_is_known(ordered: list[type[models.Model]]) -> None:
    known = {m._meta.db_table for m in ordered} | NOT_COPIED
    source = connections[SOURCE]
    unknown = [t for t in source.introspection.table_names() if t not in known and _count(SOURCE, t)]
    if unknown:
        raise BackupError(
            "unknown_tables",
            f"the backup's database has rows in tables this shopkpi does not know ({', '.join(unknown)}): "
            "restore it with the shopkpi version that took it",
        )


def _clear_rows_of_migrate(ordered: list[type[models.Model]]) -> None:
    target = connections[DEFAULT_DB_ALIAS]
    with target.cursor() as cursor:
        for model in reversed(ordered):
            if model is not AuditEntry and model._base_manager.using(DEFAULT_DB_ALIAS).exists():
                cursor.execute(f"DELETE FROM {target.ops.quote_name(model._meta.db_table)}")


def _copy(model: type[models.Model]) -> int:
    target = connections[DEFAULT_DB_ALIAS]
    fields = model._meta.concrete_fields
    quote = target.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = model._base_manager.using(SOURCE).order_by("pk").iterator(chunk_size=CHUNK)
    count = 0
    with target.cursor() as cursor:
        for chunk in _chunks(rows):
            values = [
                [f.get_db_prep_save(getattr(obj, f.attname), connection=target) for f in fields]
                for obj in chunk
            ]
            cursor.executemany(sql, values)
            count += len(chunk)
    return count


def _chunks(rows: Iterator[Any]) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _compare_counts(ordered: list[type[models.Model]]) -> None:
    for model in ordered:
        table = model._meta.db_table
        source, target = _count(SOURCE, table), _count(DEFAULT_DB_ALIAS, table)
        if source != target:
            raise BackupError(
                "count_mismatch", f"{table}: {source} rows in the backup, {target} after the copy"
            )


def _count(alias: str, table: str) -> int:
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
        row = cursor.fetchone()
    return int(row[0]) if row else 0
