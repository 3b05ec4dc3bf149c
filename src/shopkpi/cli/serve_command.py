"""`shopkpi serve`: the application on gunicorn, a production WSGI server with a process per core."""

from __future__ import annotations

import click

from shopkpi.cli.django_home import default_workers, prepare_home, serve_application
from shopkpi.cli.home import current


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
@click.pass_context
def serve_command(ctx: click.Context, host: str, port: int, workers: int | None, threads: int) -> None:
    """Serve the pages and the API of an existing home (its database is migrated first)."""
    home = prepare_home(current(ctx).home)
    workers = workers or default_workers()
    click.echo(
        f"shopkpi: serving {home} at http://{host}:{port}/ with {workers} worker processes (Ctrl+C stops)",
        err=True,
    )
    serve_application(host, port, workers=workers, threads=threads)
