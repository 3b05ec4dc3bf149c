"""`shopkpi migrate`: the upgrade step. Creates the application database, or brings it to this version."""

from __future__ import annotations

import click

from shopkpi.cli.django_home import prepare_home, upgrade
from shopkpi.cli.home import current


@click.command("migrate")
@click.pass_context
def migrate_command(ctx: click.Context) -> None:
    """Create or upgrade the application database to this version (stop its servers and workers first)."""
    prepare_home(current(ctx).home, migrate=False)
    applied, moved = upgrade()
    if applied:
        click.echo(f"{len(applied)} migrations applied: {', '.join(applied)}")
    else:
        click.echo("the application database is up to date")
    if moved:
        click.echo(f"the warehouse catalogue moved into the application database ({moved} batches)")
