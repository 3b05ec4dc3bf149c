"""`shopkpi worker`: run the jobs the servers queue (large imports, recomputes, exports) and the daily
reminders, from the application database."""

from __future__ import annotations

import datetime as dt

import click

from shopkpi.cli.django_home import prepare_home
from shopkpi.cli.home import current
from shopkpi.cli.remind_command import time_of_day


def time_of_day_or_off(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.time | str | None:
    return "off" if value == "off" else time_of_day(ctx, param, value)


@click.command("worker")
@click.option(
    "--processes",
    default=2,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Jobs run at once, each in a process of its own.",
)
@click.option(
    "--remind-at",
    callback=time_of_day_or_off,
    help="Send the reminders every day at this time (HH:MM, SHOPKPI_TIME_ZONE) as a job that one of the "
    "workers runs; `off` stops them. Kept in the database for every worker.",
)
@click.pass_context
def worker_command(ctx: click.Context, processes: int, remind_at: dt.time | str | None) -> None:
    """Run the queued jobs (large imports, recomputes, exports, the daily reminders) until stopped; any
    number of workers may share a database."""
    home = prepare_home(current(ctx).home)
    from shopkpi.appraisal.background.job_worker import run_worker

    if remind_at is not None:
        say_reminders(remind_at if isinstance(remind_at, dt.time) else None)
    click.echo(f"shopkpi: worker on {home} running jobs with {processes} processes (Ctrl+C stops)", err=True)
    run_worker(processes)


def say_reminders(at: dt.time | None) -> None:
    """Schedule the daily reminders (or stop them) and say so."""
    from shopkpi.appraisal.notifications.daily import schedule_reminders

    next_run = schedule_reminders(at)
    if next_run is None:
        click.echo("shopkpi: the daily reminders are stopped", err=True)
    else:
        when = next_run.strftime("%H:%M")
        click.echo(f"shopkpi: reminders are sent every day at {when}, first on {next_run:%Y-%m-%d}", err=True)
