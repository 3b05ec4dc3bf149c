"""`shopkpi worker`: run the jobs the servers queue (large imports), from the application database."""

from __future__ import annotations

import click

from shopkpi.cli.django_home import prepare_home
from shopkpi.cli.home import current


@click.command("worker")
@click.option(
    "--processes",
    default=2,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Jobs run at once, each in a process of its own.",
)
@click.pass_context
def worker_command(ctx: click.Context, processes: int) -> None:
    """Run the queued jobs (large imports) until stopped; any number of workers may share a database."""
    home = prepare_home(current(ctx).home)
    from shopkpi.appraisal.job_worker import run_worker

    click.echo(f"shopkpi: worker on {home} running jobs with {processes} processes (Ctrl+C stops)", err=True)
    run_worker(processes)
