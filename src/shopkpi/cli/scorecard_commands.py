"""`shopkpi check` and `shopkpi score`, as the scorecard spec's command-line contract says."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from shopkpi.cli.score_output import print_table, render_csv, render_json
from shopkpi.cli.values_csv import CsvError, read_history, read_values
from shopkpi.scorecard import PeriodError, Template, TemplateError, load_template_file, score_all
from shopkpi.scorecard.periods import Period


def _summary(template: Template, path: str) -> str:
    weighted = sum(1 for item in template.items if item.weight is not None)
    parts = [f"{len(template.items)} items ({weighted} weighted)", f"{len(template.grades)} grades"]
    parts.append("pay" if template.pay is not None else "no pay")
    parts.append(f"{len(template.rules)} rules")
    return f"ok {template.id} {template.name}: {', '.join(parts)} ({path})"


@click.command("check")
@click.argument("templates", nargs=-1, required=True, type=click.Path(path_type=Path))
def check_command(templates: tuple[Path, ...]) -> None:
    """Check template files; report every problem of every file."""
    failed = False
    for path in templates:
        try:
            template = load_template_file(path)
        except TemplateError as exc:
            failed = True
            for line in exc.lines():
                click.echo(line, err=True)
            continue
        click.echo(_summary(template, str(path)))
    if failed:
        sys.exit(1)


@click.command("score")
@click.argument("template_file", metavar="TEMPLATE.yaml", type=click.Path(path_type=Path))
@click.argument("values_file", metavar="VALUES.csv", type=click.Path(path_type=Path))
@click.option("--period", required=True, help="The period scored: 2026-10 (month), 2026-Q4, 2026.")
@click.option(
    "--history",
    "history_file",
    type=click.Path(path_type=Path),
    help="HISTORY.csv: employee,period,score[,grade]",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "csv", "table"]),
    default="json",
    show_default=True,
)
def score_command(
    template_file: Path, values_file: Path, period: str, history_file: Path | None, output_format: str
) -> None:
    """Score every employee of VALUES.csv with one template."""
    try:
        template = load_template_file(template_file)
    except TemplateError as exc:
        for line in exc.lines():
            click.echo(line, err=True)
        sys.exit(1)
    try:
        Period.of_kind(period, template.period)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from None
    try:
        employees = read_values(values_file, template, period)
        history = read_history(history_file, template) if history_file is not None else {}
    except CsvError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    results = score_all(template, employees, history)
    if output_format == "json":
        click.echo(render_json(results))
    elif output_format == "csv":
        click.echo(render_csv(template, results), nl=False)
    else:
        print_table(template, results, Console(width=None if sys.stdout.isatty() else 200))
