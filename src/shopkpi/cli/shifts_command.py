"""`shopkpi shifts import FILE` / `list` / `remove NAME`: the 客服班表 (shift schedules of shared
customer-service accounts) from the command line, as HR keeps them on the 客服班表 page
(`shopkpi.appraisal.importing.shift_schedules`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from shopkpi.cli.django_home import prepare_home
from shopkpi.cli.home import current
from shopkpi.data.imports.importer import os_user

if TYPE_CHECKING:
    from shopkpi.appraisal.models import Job


@click.group("shifts")
def shifts_group() -> None:
    """客服班表: who is on shift on a shared 子账号, kept in <home>/shifts/."""


@shifts_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--name", help="The schedule's file name in the home (default: FILE's name; the same name replaces it)."
)
@click.option("--user", help="Who uploads (recorded in the audit log; default: the OS user).")
@click.pass_context
def import_command(ctx: click.Context, file: Path, name: str | None, user: str | None) -> None:
    """Check FILE in full and keep it as a schedule; exit 1 listing every problem, changing nothing."""
    home = prepare_home(current(ctx).home)
    from shopkpi.appraisal.importing.shift_schedules import ShiftsRefused, upload

    try:
        kept, queued = upload(home, user or os_user(), file, name or file.name)
    except ShiftsRefused as refused:
        for problem in refused.problems:
            click.echo(f"problem    {problem}", err=True)
        click.echo("nothing was changed", err=True)
        ctx.exit(1)
    click.echo(
        f"kept       {kept.name}: {kept.rows} row(s), {kept.shifts} shift(s); open months computed again"
        + (" (the larger ones by shopkpi worker)" if queued else "")
    )
    _queued(queued)


def _queued(queued: list[Job]) -> None:
    for job in queued:
        click.echo(f"queued     recompute of {job.params['period']} ({job.total} reviews) for shopkpi worker")


@shifts_group.command("list")
@click.pass_context
def list_command(ctx: click.Context) -> None:
    """The schedules kept, with who uploaded each and when."""
    home = prepare_home(current(ctx).home)
    from shopkpi.appraisal.importing.shift_schedules import schedules

    found = schedules(home)
    if not found:
        click.echo("no shift schedules")
    for schedule in found:
        by = (
            f"uploaded by {schedule.uploaded_by} at {schedule.uploaded_at:%Y-%m-%d %H:%M}"
            if schedule.uploaded_by is not None and schedule.uploaded_at is not None
            else "placed by hand (no upload recorded)"
        )
        click.echo(f"{schedule.name}\t{schedule.rows} row(s)\t{schedule.shifts} shift(s)\t{by}")


@shifts_group.command("remove")
@click.argument("name")
@click.option("--user", help="Who removes it (recorded in the audit log; default: the OS user).")
@click.pass_context
def remove_command(ctx: click.Context, name: str, user: str | None) -> None:
    """Remove the schedule NAME (as `list` shows it)."""
    home = prepare_home(current(ctx).home)
    from shopkpi.appraisal.importing.shift_schedules import ShiftsRefused, remove

    try:
        queued = remove(home, user or os_user(), name)
    except ShiftsRefused as refused:
        click.echo(f"not removed: {refused}", err=True)
        ctx.exit(1)
    click.echo(
        f"removed    {name}; open months computed again"
        + (" (the larger ones by shopkpi worker)" if queued else "")
    )
    _queued(queued)
