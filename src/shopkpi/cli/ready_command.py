"""`shopkpi ready`: the home's ready process, to which `shopkpi import`, `metrics`, `check` and `score`
hand their calls (shopkpi.cli.ready_process; `shopkpi serve` runs one beside the application)."""

from __future__ import annotations

import click

from shopkpi.cli.home import current


@click.command("ready")
@click.pass_context
def ready_command(ctx: click.Context) -> None:
    """Keep a ready process for the home (就绪进程): `shopkpi import`, `metrics`, `check` and `score`
    calls on it are handed to a fork of this process, with Django and the import modules loaded, instead of
    starting Python's imports afresh; `shopkpi serve` runs one. Stops on Ctrl+C or SIGTERM."""
    from shopkpi.cli.ready_process import serve_commands

    serve_commands(current(ctx).home)
