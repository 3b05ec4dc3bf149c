"""The database itself refuses to change or delete an audit entry (SQLite and PostgreSQL triggers)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from shopkpi.appraisal.migrations import _audit_triggers


def forwards(apps: Any, schema_editor: Any) -> None:
    _audit_triggers.create(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("appraisal", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
