"""`shopkpi audit verify`: check the audit log's hash chain and report the first broken link."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from shopkpi.cli.home import current

SETTINGS_MODULE = "shopkpi.config.settings"


class HomeError(Exception):
    """The home's database cannot be used (missing, unreachable or not set up)."""


def open_home(home: Path) -> None:
    """Set up Django for the application database of `home` (SHOPKPI_HOME), without creating or migrating it.

    When Django is already configured in this process (the test suite), that configuration is
    used, provided it is for the same home.
    """
    import django
    from django.conf import settings

    home = home.expanduser().resolve()
    if settings.configured:
        configured_home = Path(getattr(settings, "HOME", home)).resolve()
        if configured_home != home:
            raise HomeError(f"this process is already set up for the home {configured_home}, not {home}")
    else:
        if not home.is_dir() and not os.environ.get("SHOPKPI_DATABASE_URL"):
            raise HomeError(f"no home directory {home} (create one with `shopkpi --home DIR demo`)")
        os.environ["SHOPKPI_HOME"] = str(home)
        os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    django.setup()
    _check_database(home)


def _check_database(home: Path) -> None:
    from django.db import DatabaseError, connection

    from shopkpi.appraisal.models import AuditEntry

    name = str(connection.settings_dict["NAME"])
    in_memory = name == ":memory:" or "mode=memory" in name
    if connection.vendor == "sqlite" and not in_memory and not Path(name).is_file():
        raise HomeError(
            f"no application database at {name}; {home} is not a shopkpi home yet "
            "(create one with `shopkpi --home DIR demo`, or point SHOPKPI_DATABASE_URL at the database)"
        )
    try:
        tables = connection.introspection.table_names()
    except DatabaseError as error:
        raise HomeError(f"cannot open the application database: {error}".strip()) from error
    if AuditEntry._meta.db_table not in tables:
        raise HomeError(
            f"the application database {name} has no audit log table; it was never set up (migrated)"
        )


@click.group("audit")
def audit_group() -> None:
    """The audit log (审计日志): append-only, each entry chained to the one before by its hash."""


@audit_group.command("verify")
@click.pass_context
def verify_command(ctx: click.Context) -> None:
    """Check every entry's hash and link; exit 1 and name the first broken link if any."""
    try:
        open_home(current(ctx).home)
    except HomeError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    from shopkpi.appraisal import audit
    from shopkpi.appraisal.models import AuditEntry

    broken = audit.verify()
    if broken is not None:
        click.echo(f"audit log broken at entry {broken.entry_id}: {broken.reason}")
        sys.exit(1)
    click.echo(f"audit log intact: {AuditEntry.objects.count()} entries")
