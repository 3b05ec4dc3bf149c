"""A PostgreSQL application database in a backup: PostgreSQL's own pg_dump and pg_restore.

`dump` opens a REPEATABLE READ transaction, counts every table's rows in it and has pg_dump read
the same snapshot (`--snapshot`), so the counts in the manifest are those of the dump. `restore`
loads a dump into an empty database with pg_restore in one transaction (`--single-transaction
--exit-on-error`): a failure leaves the database as empty as it was. The audit log, its
append-only trigger and the sequences come back as they were. The client tools must be on PATH,
of the server's version or newer (Debian: postgresql-client).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

from shopkpi.appraisal.backups.manifest import BackupError

DUMP = "shopkpi.pgdump"  # the database's file in a backup of a PostgreSQL home (pg_dump's custom format)


def _libpq(settings: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The connection URI of Django's database settings, and the environment carrying its password."""
    user = urllib.parse.quote(str(settings.get("USER") or ""), safe="")
    host = str(settings.get("HOST") or "")
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    name = urllib.parse.quote(str(settings["NAME"]), safe="")
    uri = f"postgresql://{user + '@' if user else ''}{host}{port}/{name}"
    password = str(settings.get("PASSWORD") or "")
    return uri, {"PGPASSWORD": password} if password else {}


def _run(tool: str, arguments: list[str], env: dict[str, str]) -> None:
    path = shutil.which(tool)
    if path is None:
        raise BackupError(
            "no_postgresql_tools",
            f"{tool} is not installed: install PostgreSQL's client tools (postgresql-client) of the server's version",
        )
    done = subprocess.run(
        [path, *arguments], env=os.environ | env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{tool.replace('_', '')}_failed", f"{tool} failed: {done.stderr.strip()[-1500:]}")


def dump(target: Path) -> dict[str, int]:
    """Dump Django's default database into `target`; the rows of each table in the dumped snapshot."""
    from django.db import connection, transaction

    uri, env = _libpq(connection.settings_dict)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = str(cursor.fetchone()[0])
        counts = {}
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = int(cursor.fetchone()[0])
        _run(
            "pg_dump",
            ["--format=custom", f"--snapshot={snapshot}", f"--file={target}", f"--dbname={uri}"],
            env,
        )
    return counts


def restore(source: Path) -> None:
    """Load the dump `source` into Django's default database (empty: the caller checked)."""
    from django.db import connection

    uri, env = _libpq(connection.settings_dict)
    connection.close()
    arguments = [
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={uri}",
    ]
    _run("pg_restore", [*arguments, str(source)], env)
