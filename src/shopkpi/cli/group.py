"""The `shopkpi` command group: a thin front over the layers (its entry point is shopkpi.cli.main)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import click

from shopkpi import __version__
from shopkpi.cli.home import DEFAULT_HOME, Context

# each command's module is imported when the command is asked for: `shopkpi import` does not load the
# web server, the pay sheet or the synthetic company (a command's own imports are its fixed cost)
COMMANDS = {
    "init": "shopkpi.cli.init_command:init_command",
    "users": "shopkpi.cli.users_command:users_group",
    "check": "shopkpi.cli.scorecard_commands:check_command",
    "serve": "shopkpi.cli.serve_command:serve_command",
    "run": "shopkpi.cli.run_command:run_command",
    "prepare": "shopkpi.cli.prepare_command:prepare_command",
    "score": "shopkpi.cli.scorecard_commands:score_command",
    "samples": "shopkpi.cli.samples_command:samples_command",
    "demo": "shopkpi.cli.demo_command:demo_command",
    "audit": "shopkpi.cli.audit_command:audit_group",
    "import": "shopkpi.cli.import_command:import_command",
    "synth": "shopkpi.cli.synth_command:synth_command",
    "metrics": "shopkpi.cli.metrics_command:metrics_command",
    "backup": "shopkpi.cli.backup_commands:backup_command",
    "restore": "shopkpi.cli.backup_commands:restore_command",
    "remind": "shopkpi.cli.remind_command:remind_command",
    "migrate": "shopkpi.cli.migrate_command:migrate_command",
    "worker": "shopkpi.cli.worker_command:worker_command",
    "warehouse": "shopkpi.cli.warehouse_command:warehouse_group",
    "shifts": "shopkpi.cli.shifts_command:shifts_group",
    "ready": "shopkpi.cli.ready_command:ready_command",
}


class _Commands(dict[str, click.Command]):
    """The group's commands by name, each module imported on first use (help and the docs' walk
    see them all)."""

    def __init__(self, where: dict[str, str]) -> None:
        super().__init__()
        self._where = dict(where)

    def _load(self, name: str) -> click.Command:
        if not super().__contains__(name):
            module, attribute = self._where[name].split(":")
            super().__setitem__(
                name, cast(click.Command, getattr(importlib.import_module(module), attribute))
            )
        return super().__getitem__(name)

    def __contains__(self, name: object) -> bool:
        return name in self._where or super().__contains__(name)

    def __getitem__(self, name: str) -> click.Command:
        if name not in self:
            raise KeyError(name)
        return self._load(name)

    def get(self, name: str, default: click.Command | None = None) -> click.Command | None:  # type: ignore[override]
        return self._load(name) if name in self else default

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._where, *super().__iter__()]))

    def __len__(self) -> int:
        return len(set(self._where) | set(super().keys()))

    def items(self) -> list[tuple[str, click.Command]]:  # type: ignore[override]
        return [(name, self._load(name)) for name in self]

    def values(self) -> list[click.Command]:  # type: ignore[override]
        return [self._load(name) for name in self]


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


cli.commands = _Commands(COMMANDS)
