"""`shopkpi metrics --period 2026-10 [--format json|csv|table] [--employee ID]`, and the rows behind
one value: `shopkpi metrics --period 2026-10 --employee ID --rows METRIC [--format json|csv|xlsx]`.

Thin: the catalogue, attribution and computation live in shopkpi.data; who owns what is the
application database's organisation, handed over as a snapshot; the engine is the one
SHOPKPI_METRICS_ENGINE names (DuckDB over the home's warehouse by default). Values go to standard
output (json: one array, an object per employee, numbers as decimal strings, a metric with no
data null); rows no one owned and ranges across a hand-over are reported on standard error.
With `--rows`, one record per source row (`shopkpi.appraisal.exports.metric_rows_table`); the value the
rows add up to goes to standard error; xlsx is written to standard output (redirect it to a file).
"""

from __future__ import annotations

import io
import json
import sys
from decimal import Decimal

import click
from rich.console import Console
from rich.table import Table

from shopkpi.appraisal.exports import export_cells
from shopkpi.appraisal.exports import metric_rows_table as rows_table
from shopkpi.cli.django_home import prepare_home
from shopkpi.cli.home import current
from shopkpi.data.engines import EngineError, configured_url, open_engine
from shopkpi.data.metrics.catalogue import MetricCatalogueError, load_catalogue
from shopkpi.data.metrics.computation import MetricResults, MetricValueError, compute_metrics
from shopkpi.data.metrics.reads import metric_reads
from shopkpi.data.metrics.rows import RowDrill
from shopkpi.data.metrics.sql_guard import SqlRefused
from shopkpi.data.warehouse.catalogue import Warehouse
from shopkpi.scorecard.periods import Period, PeriodError


def decimal_text(value: Decimal | None) -> str | None:
    """A value as the command prints it: plain decimal notation, never an exponent."""
    return None if value is None else format(value, "f")


@click.command("metrics")
@click.option("--period", "period_text", required=True, help="Period: 2026-10 (also 2026-Q4, 2026).")
@click.option(
    "--format",
    "output",
    type=click.Choice(["json", "csv", "table", "xlsx"]),
    default="json",
    show_default=True,
    help="xlsx only with --rows.",
)
@click.option("--employee", "employee_ids", multiple=True, help="Only this employee (repeatable).")
@click.option(
    "--rows", "rows_of", metavar="METRIC", help="The source rows behind this metric of one --employee."
)
@click.pass_context
def metrics_command(
    ctx: click.Context, period_text: str, output: str, employee_ids: tuple[str, ...], rows_of: str | None
) -> None:
    """Every employee's metric values for a period (指标计算), or the rows behind one (--rows)."""
    if rows_of is not None:
        if len(employee_ids) != 1:
            raise click.BadParameter("--rows needs exactly one --employee", param_hint="--employee")
        if output == "table":
            raise click.BadParameter("--rows prints json, csv or xlsx", param_hint="--format")
    elif output == "xlsx":
        raise click.BadParameter("xlsx is for --rows", param_hint="--format")
    home = prepare_home(current(ctx).home)
    from shopkpi.appraisal.organisation.snapshot import take_snapshot  # needs Django set up

    try:
        period = Period.parse(period_text)
    except PeriodError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None
    try:
        catalogue = load_catalogue(home)  # checked for the configured engine's functions
    except (MetricCatalogueError, EngineError) as error:
        raise click.ClickException(str(error)) from None
    if rows_of is not None:  # the rows are read from the local warehouse, the batches of their dates
        known = rows_of in catalogue.metrics
        reads = metric_reads(catalogue, [rows_of], period) if known else None
        connection = Warehouse(home).connect(read_only=True, reads=reads)
        try:
            _print_rows(
                RowDrill(
                    connection,
                    catalogue,
                    rows_of,
                    period,
                    organisation=take_snapshot(),
                    employee=employee_ids[0],
                ),
                output,
            )
        except KeyError:
            raise click.BadParameter(f"no metric {rows_of!r}", param_hint="--rows") from None
        finally:
            connection.close()
        return
    try:
        engine = open_engine(configured_url(), home, reads=metric_reads(catalogue, None, period))
    except EngineError as error:
        raise click.ClickException(str(error)) from None
    try:
        results = compute_metrics(
            engine, period, catalogue, organisation=take_snapshot(), employees=employee_ids or None
        )
    except (SqlRefused, MetricValueError) as error:
        raise click.ClickException(str(error)) from None
    finally:
        engine.close()
    _warn(results)
    if output == "json":
        click.echo(json.dumps(_records(results), ensure_ascii=False, indent=2))
    elif output == "csv":
        _write_csv(results)
    else:
        _print_table(
            results, catalogue_labels={n: catalogue.metrics[n].definition.label_zh for n in results.metrics}
        )


def _print_rows(drill: RowDrill, output: str) -> None:
    rows = list(drill.rows())
    if output == "json":
        click.echo(json.dumps([rows_table.record(r) for r in rows], ensure_ascii=False, indent=2))
    elif output == "csv":
        rows_table.write_csv(rows, sys.stdout)
    else:
        stream = sys.stdout.buffer
        if stream.isatty():
            raise click.UsageError("xlsx is binary: redirect it to a file (> rows.xlsx)")
        buffer = io.BytesIO()
        rows_table.write_xlsx(rows, buffer)
        stream.write(buffer.getvalue())
    counted = sum(1 for r in rows if r.counted is not None)
    value = decimal_text(drill.value()) if drill.additive() else "(not a sum of rows)"
    click.echo(
        f"{drill.metric} {drill.employee} {drill.period}: {value} from {len(rows)} rows ({counted} counted)",
        err=True,
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
