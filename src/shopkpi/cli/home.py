"""The data directory (`--home` / SHOPKPI_HOME) that commands share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

DEFAULT_HOME = Path("~/.shopkpi")


@dataclass(frozen=True)
class Context:
    home: Path

    def ensure_home(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home


def current(ctx: click.Context) -> Context:
    obj = ctx.find_object(Context)
    if obj is None:  # a command invoked outside the `shopkpi` group (tests)
        return Context(home=DEFAULT_HOME.expanduser())
    return obj
