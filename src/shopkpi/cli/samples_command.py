"""`shopkpi samples`: every built-in template scored on its bundled sample values.

For template authors: shows each built-in card on realistic numbers. Thin: the
templates and the scoring come from shopkpi.scorecard, the CSV reading from values_csv, the
output from score_output.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from shopkpi.cli.home import current
from shopkpi.cli.score_output import print_table, render_json
from shopkpi.cli.values_csv import CsvError, read_history, read_values
from shopkpi.scorecard import (
    TemplateError,
    builtin_template_dir,
    builtin_template_paths,
    load_template_file,
    score_all,
)

DEMO_PERIOD = "2026-10"
SAMPLES_DIR = builtin_template_dir().parent / "samples"
HISTORY_FILE = SAMPLES_DIR / "history.csv"


def monthly_builtin_paths() -> list[Path]:
    """The built-in templates of a month, the ones `shopkpi samples` scores."""
    return [path for path in builtin_template_paths() if load_template_file(path).period == "month"]


def sample_path(template_id: str) -> Path:
    """The bundled VALUES.csv of a built-in template."""
    return SAMPLES_DIR / f"{template_id}.csv"


@click.command("samples")
@click.pass_context
def samples_command(ctx: click.Context) -> None:
    """Score every monthly built-in template on its bundled sample values (period 2026-10).

    Prints one table per template and writes <home>/samples/<template id>.json. The sample
    values and history are invented (4 employees per position, one of them incomplete). The
    quarterly and annual cards read the months' published results, which a sample row cannot
    hold: they are scored by opening their period over archived months (`shopkpi run`, the web).
    """
    paths = monthly_builtin_paths()
    missing = [path.stem for path in paths if not sample_path(path.stem).is_file()]
    if missing:
        for template_id in missing:
            click.echo(f"{template_id}: no sample values {sample_path(template_id)}", err=True)
        sys.exit(1)
    out_dir = current(ctx).ensure_home() / "samples"
    out_dir.mkdir(exist_ok=True)
    console = Console(width=None if sys.stdout.isatty() else 200)
    employees_scored = 0
    for path in paths:
        try:
            template = load_template_file(path)
            employees = read_values(sample_path(path.stem), template, DEMO_PERIOD)
            history = read_history(HISTORY_FILE, template)
        except TemplateError as exc:
            for line in exc.lines():
                click.echo(line, err=True)
            sys.exit(1)
        except CsvError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            sys.exit(1)
        results = score_all(template, employees, history)
        print_table(template, results, console)
        (out_dir / f"{template.id}.json").write_text(render_json(results) + "\n", encoding="utf-8")
        employees_scored += len(results)
    click.echo(
        f"scored {employees_scored} employees on {len(paths)} built-in templates; results in {out_dir}"
    )
