"""The `shopkpi` command: a thin front over the layers."""

from __future__ import annotations

from pathlib import Path

import click

from shopkpi import __version__
from shopkpi.cli.audit_command import audit_group
from shopkpi.cli.backup_commands import backup_command, restore_command
from shopkpi.cli.demo_command import demo_command
from shopkpi.cli.home import DEFAULT_HOME, Context
from shopkpi.cli.import_command import import_command
from shopkpi.cli.init_command import init_command
from shopkpi.cli.metrics_command import metrics_command
from shopkpi.cli.migrate_command import migrate_command
from shopkpi.cli.prepare_command import prepare_command
from shopkpi.cli.remind_command import remind_command
from shopkpi.cli.run_command import run_command
from shopkpi.cli.samples_command import samples_command
from shopkpi.cli.scorecard_commands import check_command, score_command
from shopkpi.cli.serve_command import serve_command
from shopkpi.cli.synth_command import synth_command
from shopkpi.cli.users_command import users_group
from shopkpi.cli.warehouse_command import warehouse_group
from shopkpi.cli.worker_command import worker_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="SHOPKPI_HOME",
    default=str(DEFAULT_HOME),
    show_default=True,
    help="Data directory of the embedded default (also SHOPKPI_HOME).",
)
@click.version_option(__version__, prog_name="shopkpi")
@click.pass_context
def cli(ctx: click.Context, home: Path) -> None:
    """shopkpi: 电商团队月度绩效考核 (monthly performance appraisal)."""
    ctx.obj = Context(home=home.expanduser())


cli.add_command(init_command)
cli.add_command(users_group)
cli.add_command(check_command)
cli.add_command(serve_command)
cli.add_command(run_command)
cli.add_command(prepare_command)
cli.add_command(score_command)
cli.add_command(samples_command)
cli.add_command(demo_command)
cli.add_command(audit_group)
cli.add_command(import_command)
cli.add_command(synth_command)
cli.add_command(metrics_command)
cli.add_command(backup_command)
cli.add_command(restore_command)
cli.add_command(remind_command)
cli.add_command(migrate_command)
cli.add_command(worker_command)


def main() -> None:
    cli(prog_name="shopkpi")


cli.add_command(warehouse_group)
