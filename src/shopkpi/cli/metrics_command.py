"""`shopkpi metrics --period 2026-10 [--format json|csv|table] [--employee ID]`.

Thin: the catalogue, attribution and computation live in shopkpi.data; who owns what is the
application database's organisation, handed over as a snapshot. Values go to standard
output (json: one array, an object per employee, numbers as decimal strings, a metric with no
data null); rows no one owned and ranges across a hand-over are reported on standard error.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal

import click
from rich.console import Console
from rich.table import Table

from shopkpi.appraisal import export_cells
from shopkpi.cli.django_home import prepare_home
from shopkpi.cli.home import current
from shopkpi.data.metrics.catalogue import MetricCatalogueError, load_catalogue
from shopkpi.data.metrics.computation import MetricResults, compute_metrics
from shopkpi.data.metrics.sql_guard import SqlRefused
from shopkpi.data.periods import Period, PeriodError
from shopkpi.data.warehouse.catalogue import Warehouse


def decimal_text(value: Decimal | None) -> str | None:
    """A value as the command prints it: plain decimal notation, never an exponent."""
    return None if value is None else format(value, "f")


@click.command("metrics")
@click.option("--period", "period_text", required=True, help="Period: 2026-10 (also 2026-Q4, 2026).")
@click.option(
    "--format", "output", type=click.Choice(["json", "csv", "table"]), default="json", show_default=True
)
@click.option("--employee", "employee_ids", multiple=True, help="Only this employee (repeatable).")
@click.pass_context
def metrics_command(ctx: click.Context, period_text: str, output: str, employee_ids: tuple[str, ...]) -> None:
    """Every employee's metric values for a period (指标计算)."""
    home = prepare_home(current(ctx).home)
    from shopkpi.appraisal.organisation.snapshot import take_snapshot  # needs Django set up

    try:
        period = Period.parse(period_text)
    except PeriodError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None
    try:
        catalogue = load_catalogue(home)
    except MetricCatalogueError as error:
        raise click.ClickException(str(error)) from None
    connection = Warehouse(home).connect(read_only=True)
    try:
        results = compute_metrics(
            connection, period, catalogue, organisation=take_snapshot(), employees=employee_ids or None
        )
    except SqlRefused as error:
        raise click.ClickException(str(error)) from None
    finally:
        connection.close()
    _warn(results)
    if output == "json":
        click.echo(json.dumps(_records(results), ensure_ascii=False, indent=2))
    elif output == "csv":
        _write_csv(results)
    else:
        _print_table(
            results, catalogue_labels={n: catalogue.metrics[n].definition.label_zh for n in results.metrics}
        )


def _records(results: MetricResults) -> list[dict[str, object]]:
    return [
        {
            "employee": employee.employee,
            "period": employee.period,
            "metrics": {name: decimal_text(employee.value(name)) for name in results.metrics},
        }
        for employee in results.employees.values()
    ]


def _write_csv(results: MetricResults) -> None:
    writer = export_cells.csv_writer(sys.stdout, lineterminator="\n")
    writer.writerow(["employee", "period", *results.metrics])
    for employee in results.employees.values():
        texts = (decimal_text(employee.value(name)) for name in results.metrics)
        writer.writerow([employee.employee, employee.period, *(t if t is not None else "" for t in texts)])


def _print_table(results: MetricResults, catalogue_labels: dict[str, str]) -> None:
    table = Table("employee", "metric", "指标", "value", title=f"metrics {results.period}")
    for employee in results.employees.values():
        for name in results.metrics:
            table.add_row(
                employee.employee, name, catalogue_labels[name], decimal_text(employee.value(name)) or "—"
            )
    Console(soft_wrap=True).print(table)


def _warn(results: MetricResults) -> None:
    for item in (*results.unowned, *results.range_crossings):
        click.echo(f"warning: {item}", err=True)
