"""`shopkpi warehouse publish --to URL`: the warehouse's current rows into a metric engine's tables, or
into Apache Iceberg tables for other tools to read."""

from __future__ import annotations

import click

from shopkpi.cli.django_home import prepare_home
from shopkpi.cli.home import current
from shopkpi.data.engines import EngineError


@click.group("warehouse")
def warehouse_group() -> None:
    """The shop-data warehouse (店铺数据仓库)."""


@warehouse_group.command("publish")
@click.option(
    "--to",
    "url",
    required=True,
    help="The engine: postgresql://user@host:port/db, spark-local, spark://host:port, clickhouse:///path; "
    "or Apache Iceberg: iceberg+postgresql://user@host:port/db?warehouse=file:///folder|s3://bucket/prefix.",
)
@click.pass_context
def publish_command(ctx: click.Context, url: str) -> None:
    """Copy each dataset's current rows, with their batch, into the engine's tables of the same names
    (replacing what they held), for SHOPKPI_METRICS_ENGINE to compute there; or into Apache Iceberg
    tables (a catalogue in PostgreSQL) for Spark, Trino or ClickHouse to read."""
    home = prepare_home(current(ctx).home)  # the batch catalogue is the application database's
    from shopkpi.data.engines.publish import publish

    try:
        published = publish(home, url)
    except EngineError as error:
        raise click.ClickException(str(error)) from None
    for item in published:
        click.echo(f"{item.dataset}: {item.rows} rows, {item.batches} batches")
