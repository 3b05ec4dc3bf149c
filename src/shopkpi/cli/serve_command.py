"""`shopkpi serve`: the application on a production-grade WSGI server (waitress), not Django's runserver."""

from __future__ import annotations

import click

from shopkpi.cli.django_home import prepare_home, serve_application
from shopkpi.cli.home import current


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on."
)
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
@click.pass_context
def serve_command(ctx: click.Context, host: str, port: int, threads: int) -> None:
    """Serve the pages and the API of an existing home (its database is migrated first)."""
    home = prepare_home(current(ctx).home)
    click.echo(f"shopkpi: serving {home} at http://{host}:{port}/ (Ctrl+C stops)", err=True)
    serve_application(host, port, threads)
