"""The triggers that make the database itself refuse to change or delete an audit entry."""

from __future__ import annotations

from typing import Any

SQLITE_CREATE = [
    """CREATE TRIGGER IF NOT EXISTS appraisal_auditentry_no_update BEFORE UPDATE ON appraisal_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are never changed'); END""",
    """CREATE TRIGGER IF NOT EXISTS appraisal_auditentry_no_delete BEFORE DELETE ON appraisal_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are never deleted'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS appraisal_auditentry_no_update",
    "DROP TRIGGER IF EXISTS appraisal_auditentry_no_delete",
]
POSTGRES_CREATE = [
    """CREATE OR REPLACE FUNCTION appraisal_auditentry_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit entries are never changed or deleted'; END; $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS appraisal_auditentry_append_only ON appraisal_auditentry",
    """CREATE TRIGGER appraisal_auditentry_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON appraisal_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION appraisal_auditentry_append_only()""",
]
POSTGRES_DROP = ["DROP TRIGGER IF EXISTS appraisal_auditentry_append_only ON appraisal_auditentry"]


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def create(connection: Any) -> None:
    _run(connection, {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(connection.vendor, []))


def drop(connection: Any) -> None:
    _run(connection, {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(connection.vendor, []))
