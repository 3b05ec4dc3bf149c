"""`shopkpi users …`: hand out logins, change roles, reset a password, deactivate a login.

One-time passwords go into the --output workbook only: never to the terminal, a log or the audit log.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from shopkpi.cli.django_home import prepare_home
from shopkpi.cli.home import current
from shopkpi.data.imports.importer import os_user

ROLES = click.Choice(["hr", "gm", "admin"])
OUTPUT = click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The new workbook (.xlsx) for the one-time passwords; an existing file is never overwritten.",
)


def _fail(message: object) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _operator(ctx: click.Context) -> Any:
    prepare_home(current(ctx).home)
    from shopkpi.appraisal.accounts.logins import Operator

    return Operator(os_user())


def _hand_out(output: Path, hand_out: Callable[[], list[Any]]) -> list[Any]:
    from shopkpi.appraisal.accounts.login_workbook import OutputExists, save_new
    from shopkpi.appraisal.accounts.logins import LoginRefused

    if not output.parent.is_dir():
        _fail(f"no folder {output.parent} for {output}")
    try:
        return save_new(output, hand_out)
    except OutputExists:
        _fail(f"{output} exists; it is not overwritten (give a new file name)")
    except LoginRefused as refused:
        _fail(refused)


@click.group("users")
def users_group() -> None:
    """Logins (用户) and roles: hr (人事), gm (总经理), admin (管理员)."""


@users_group.command("issue")
@OUTPUT
@click.pass_context
def issue_command(ctx: click.Context, output: Path) -> None:
    """A login for every active employee without one (username: the 工号), with a one-time password."""
    operator = _operator(ctx)  # Django set up on the home before its models are imported
    from shopkpi.appraisal.accounts import logins

    handed = _hand_out(output, lambda: logins.issue(operator))
    if not handed:
        click.echo("every active employee has a login; no workbook written")
        return
    click.echo(
        f"issued {len(handed)} logins: {', '.join(h.username for h in handed)}\n"
        f"their one-time passwords are in {output} only: hand each person their row, then delete the file"
    )


@users_group.command("reset")
@click.argument("username")
@OUTPUT
@click.pass_context
def reset_command(ctx: click.Context, username: str, output: Path) -> None:
    """A new one-time password for USERNAME, written into the workbook."""
    operator = _operator(ctx)  # Django set up on the home before its models are imported
    from shopkpi.appraisal.accounts import logins

    _hand_out(output, lambda: [logins.reset(operator, username)])
    click.echo(f"new one-time password for {username} is in {output} only; they change it at sign-in")


@users_group.command("role")
@click.argument("username")
@click.option("--add", "add", multiple=True, type=ROLES, help="Grant a role (repeatable).")
@click.option("--remove", "remove", multiple=True, type=ROLES, help="Take a role away (repeatable).")
@click.pass_context
def role_command(ctx: click.Context, username: str, add: tuple[str, ...], remove: tuple[str, ...]) -> None:
    """Grant or take away the hr, gm and admin roles of USERNAME."""
    if not add and not remove:
        raise click.UsageError("give --add ROLE or --remove ROLE")
    if set(add) & set(remove):
        raise click.UsageError(f"a role both added and removed: {', '.join(sorted(set(add) & set(remove)))}")
    operator = _operator(ctx)  # Django set up on the home before its models are imported
    from shopkpi.appraisal.accounts import logins

    try:
        held = logins.change_roles(operator, username, add=add, remove=remove)
    except logins.LoginRefused as refused:
        _fail(refused)
    click.echo(f"{username}: roles {', '.join(held) or '(none)'}")


@users_group.command("deactivate")
@click.argument("username")
@click.pass_context
def deactivate_command(ctx: click.Context, username: str) -> None:
    """USERNAME can no longer sign in (a leaver); sessions and API tokens stop working at once."""
    operator = _operator(ctx)  # Django set up on the home before its models are imported
    from shopkpi.appraisal.accounts import logins

    try:
        logins.deactivate(operator, username)
    except logins.LoginRefused as refused:
        _fail(refused)
    click.echo(f"{username} is deactivated")
