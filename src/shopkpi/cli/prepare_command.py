"""`shopkpi prepare --period 2026-10 --output FILE.xlsx`: what to prepare for the month, as a workbook
that imports back as it is filled in (`shopkpi.appraisal.periods.month_prepare`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from shopkpi.cli.django_home import prepare_home
from shopkpi.cli.home import current


@click.command("prepare")
@click.option("--period", required=True, help="The month: 2026-10.")
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The workbook to write (.xlsx); an existing file is never overwritten.",
)
@click.pass_context
def prepare_command(ctx: click.Context, period: str, output: Path) -> None:
    """List per employee the targets, inputs and supervisor ratings their template needs (本月需准备的数据),
    as a workbook with Chinese headers (sheets 目标, 手工录入, 评分); fill it in and import it back."""
    if output.suffix.lower() != ".xlsx":
        raise click.BadParameter(
            "write an .xlsx workbook, e.g. --output 2026-10-准备.xlsx", param_hint="--output"
        )
    if output.exists():
        raise click.BadParameter(
            f"{output} exists; nothing was written (name a new file)", param_hint="--output"
        )
    home = prepare_home(current(ctx).home)
    from shopkpi.appraisal.periods.month_prepare import prepare_month, write_workbook
    from shopkpi.appraisal.reviews.review_steps import WorkflowError

    try:
        needs, closed = prepare_month(home, period)
    except WorkflowError as exc:
        click.echo(f"{exc.code}: {exc}", err=True)
        sys.exit(1)
    for problem in closed.problems:
        click.echo(f"warning: {problem.text()}", err=True)
    with output.open("xb") as stream:  # exclusive: a file made meanwhile is not overwritten either
        write_workbook(needs, stream)
    filled = sum(1 for need in needs if need.filled)
    how = "its cycle" if closed.source == "cycle" else "no cycle open: the people opening it would take"
    click.echo(
        f"wrote {output}: {len(closed.cards)} employees ({how}), {len(needs)} values to prepare, "
        f"{filled} already in"
    )
