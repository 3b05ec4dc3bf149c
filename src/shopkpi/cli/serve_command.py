"""`shopkpi serve`: the application on gunicorn, a production WSGI server with a process per core."""

from __future__ import annotations

import datetime as dt

import click

from shopkpi.cli.django_home import (
    JOB_WORKER,
    READY_PROCESS,
    alongside,
    default_workers,
    prepare_home,
    serve_application,
)
from shopkpi.cli.home import current
from shopkpi.cli.remind_command import time_of_day
from shopkpi.cli.worker_command import say_reminders


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
    help="Also send the reminders every day at this time (HH:MM), as `shopkpi worker --remind-at` does.",
)
@click.option(
    "--job-worker/--no-job-worker",
    default=True,
    show_default=True,
    help="Also run the queued jobs (large imports, recomputes, exports), as `shopkpi worker --processes 1` does; with several "
    "servers, run `shopkpi worker` on its own and give each server --no-job-worker.",
)
@click.option(
    "--ready/--no-ready",
    default=True,
    show_default=True,
    help="Also keep the home's ready process (`shopkpi ready`), which takes the `shopkpi import`, `metrics`, "
    "`check` and `score` calls on this home so they skip Python's start-up imports.",
)
@click.pass_context
def serve_command(
    ctx: click.Context,
    host: str,
    port: int,
    workers: int | None,
    threads: int,
    remind_at: dt.time | None,
    job_worker: bool,
    ready: bool,
) -> None:
    """Serve the pages and the API of a home (a database of an older version: `shopkpi migrate` first)."""
    home = prepare_home(current(ctx).home)
    workers = workers or default_workers()
    click.echo(
        f"shopkpi: serving {home} at http://{host}:{port}/ with {workers} worker processes (Ctrl+C stops)",
        err=True,
    )
    if remind_at is not None:  # a job on the queue: whichever worker takes it sends them, once a day
        say_reminders(remind_at)
    # in its own process, so the web workers never wait for an import
    helpers: list[tuple[str, ...]] = [JOB_WORKER] if job_worker else []
    if ready:
        helpers.append(READY_PROCESS)
    with alongside(home, *helpers):
        serve_application(host, port, workers=workers, threads=threads)
