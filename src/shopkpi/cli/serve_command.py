"""`shopkpi serve`: the application on gunicorn, a production WSGI server with a process per core."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import click

from shopkpi.cli.django_home import default_workers, prepare_home, serve_application
from shopkpi.cli.home import current
from shopkpi.cli.remind_command import time_of_day


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Worker processes (default: one per core, at most 8).",
)
@click.option(
    "--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Threads per worker process."
)
@click.option(
    "--remind-at",
    callback=time_of_day,
    help="Also send the reminders every day at this time (HH:MM), as `shopkpi remind --daily-at` does.",
)
@click.pass_context
def serve_command(
    ctx: click.Context, host: str, port: int, workers: int | None, threads: int, remind_at: dt.time | None
) -> None:
    """Serve the pages and the API of an existing home (its database is migrated first)."""
    home = prepare_home(current(ctx).home)
    workers = workers or default_workers()
    click.echo(
        f"shopkpi: serving {home} at http://{host}:{port}/ with {workers} worker processes (Ctrl+C stops)",
        err=True,
    )
    reminder = None
    if remind_at is not None:
        # its own process, so the web workers never wait for a mail server or a robot
        command = "from shopkpi.cli.main import main; main()"
        when = remind_at.strftime("%H:%M")
        reminder = subprocess.Popen(
            [sys.executable, "-c", command, "--home", str(home), "remind", "--daily-at", when]
        )
        click.echo(f"shopkpi: reminders are sent every day at {when}", err=True)
    try:
        serve_application(host, port, workers=workers, threads=threads)
    finally:
        if reminder is not None:
            reminder.terminate()
            reminder.wait()
