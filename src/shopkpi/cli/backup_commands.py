"""`shopkpi backup --output DIR` and `shopkpi restore DIR [--database-url postgres://…]`.

Thin: the snapshot, the checks and the copy live in shopkpi.appraisal.backups. Results go to
standard output, progress and refusals to standard error; a refusal exits with status 1 (and
changes nothing), a home that cannot be opened with status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from shopkpi.cli.audit_command import HomeError, open_home
from shopkpi.cli.home import current


def _say(message: str) -> None:
    click.echo(message, err=True)


@click.command("backup")
@click.option(
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A new (or empty) folder for the backup, outside the home.",
)
@click.pass_context
def backup_command(ctx: click.Context, output: Path) -> None:
    """Take a consistent backup of the home while it runs (备份): the application database (SQLite's
    online backup, or pg_dump for PostgreSQL), the warehouse's catalogue and files (an import is wholly
    in or out), the secret key and the home's other files, with a manifest of every file's size and SHA-256."""
    try:
        open_home(current(ctx).home)
    except HomeError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    from shopkpi.appraisal.backups.manifest import BackupError
    from shopkpi.appraisal.backups.take import take_backup

    try:
        manifest = take_backup(current(ctx).home, output, say=_say)
    except BackupError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    size = sum(f.size for f in manifest.files)
    rows = sum(manifest.counts["database"].values())
    warehouse = manifest.counts["warehouse"]
    click.echo(
        f"backup in {output.resolve()}: {len(manifest.files)} files, {size / 1e6:.1f} MB; "
        f"database {rows} rows in {len(manifest.counts['database'])} tables, "
        f"audit log {manifest.counts['database'].get('appraisal_auditentry', 0)} entries; "
        f"warehouse {warehouse['current_batches']} current batches of {warehouse['batches']}"
    )


@click.command("restore")
@click.argument("backup", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--database-url",
    envvar="SHOPKPI_DATABASE_URL",
    help="Restore the database into this empty PostgreSQL database (postgres://user@host:5432/name) "
    "instead of SQLite in the home; also SHOPKPI_DATABASE_URL.",
)
@click.pass_context
def restore_command(ctx: click.Context, backup: Path, database_url: str | None) -> None:
    """Restore a backup into a new, empty home (--home) (恢复): every file's checksum is checked first,
    nothing is changed on a refusal, and the restored audit log is verified. With --database-url the
    SQLite database of the backup moves into PostgreSQL, every id, timestamp and hash exact (a backup
    of a PostgreSQL home is loaded there with pg_restore)."""
    from shopkpi.appraisal.backups.manifest import BackupError
    from shopkpi.appraisal.backups.restore import restore_backup

    try:
        restored = restore_backup(backup, current(ctx).home, database_url, say=_say)
    except BackupError as error:
        click.echo(f"error: {error}", err=True)
        click.echo("nothing was restored", err=True)
        sys.exit(1)
    click.echo(
        f"restored the backup of {restored.manifest.created_at} into {restored.home} "
        f"(database: {restored.engine}); audit log intact: {restored.audit_entries} entries"
    )
    if restored.engine != "sqlite":
        click.echo("run shopkpi on this home with SHOPKPI_DATABASE_URL set to that database's URL")
