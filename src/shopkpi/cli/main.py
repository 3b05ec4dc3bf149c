"""The `shopkpi` command's entry point.

A call that the home's ready process takes (`shopkpi import`, `metrics`, `check`, `score`) is handed to
it when one runs (shopkpi.cli.handoff: standard library only, a few milliseconds); any other call, or
one that cannot be handed off, runs here, in this process (the command group, shopkpi.cli.group)."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # (not typing's: the entry point imports as little as it can)
if TYPE_CHECKING:
    from typing import Any


def main() -> None:
    from shopkpi.cli.handoff import hand_off

    code = hand_off(sys.argv)
    if code is not None:
        raise SystemExit(code)
    from shopkpi.cli.group import cli

    cli(prog_name="shopkpi")


def __getattr__(name: str) -> Any:
    """`from shopkpi.cli.main import cli` (tests, tools): the group, imported when first asked for, so
    that the entry point itself imports nothing but the hand-off."""
    if name in ("cli", "COMMANDS"):
        from shopkpi.cli import group

        return getattr(group, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
