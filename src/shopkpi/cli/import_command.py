"""`shopkpi import DATASET FILE [FILE ...]`: platform exports into the warehouse, the roster, account
ownership and positions into the organisation; all or nothing.

Thin: the one import service is shopkpi.appraisal.importing.imports. Results (and with --dry-run, what would
change) go to standard output, progress and problems to standard error; a refused import exits with
status 1, one stopped by warnings not accepted with status 3. `shopkpi import --withdraw BATCH`
withdraws a batch (shopkpi.appraisal.importing.import_withdrawal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from shopkpi.appraisal.organisation.changes import OrganisationChange
from shopkpi.cli.django_home import prepare_home
from shopkpi.cli.home import current
from shopkpi.data.datasets import DATASETS
from shopkpi.data.imports.importer import DEFAULT_TIMEZONE, FileOutcome, os_user
from shopkpi.data.problems import ImportRefused

if TYPE_CHECKING:
    from rich.progress import Progress

PROGRESS_FROM_BYTES = 4 << 20  # show a progress bar for files from 4 MiB


@contextmanager
def _progress(files: tuple[Path, ...]) -> Iterator[Progress | None]:
    sizes = [f.stat().st_size for f in files if f.is_file()]
    if not sizes or max(sizes) < PROGRESS_FROM_BYTES:
        yield None
        return
    from rich.console import Console  # only for a bar: a small import does without rich
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        yield progress


def _parse_sets(values: tuple[str, ...]) -> dict[str, str]:
    sets: dict[str, str] = {}
    for value in values:
        column, sep, text = value.partition("=")
        if not sep or not column.strip():
            raise click.BadParameter(f"{value!r} is not COLUMN=VALUE", param_hint="--set")
        sets[column.strip()] = text.strip()
    return sets


NEEDS_CONFIRMATION = 3  # the exit status when warnings were found and not accepted


def describe(outcome: FileOutcome, dataset: str) -> str:
    if outcome.status == "unchanged":
        return f"unchanged  {outcome.file}: already imported as batch {outcome.batch}"
    if outcome.status == "checked":
        line = f"checked    {outcome.file} → {dataset}: {outcome.rows} rows ({outcome.profile}"
        if outcome.skipped_rows:
            line += f", {outcome.skipped_rows} summary rows left out"
        return line + "), not written (--dry-run)"
    line = f"imported   {outcome.file} → {dataset}: {outcome.rows} rows, batch {outcome.batch} ({outcome.profile}"
    if outcome.skipped_rows:
        line += f", {outcome.skipped_rows} summary rows left out"
    line += ")"
    if outcome.replaced:
        line += f"\n           replaces batch {', '.join(outcome.replaced)} (kept in history)"
    if outcome.partly_replaced:
        line += f"\n           replaces some rows of batch {', '.join(outcome.partly_replaced)}"
    return line


def describe_change(change: OrganisationChange) -> str:
    """One line of an organisation import's changes (the preview of --dry-run, or what was written)."""
    since = f" from {change.valid_from}" if change.valid_from else ""
    lines = {
        "new_department": lambda: f"new department   {change.subject}",
        "new_position": lambda: (
            f"new position     {change.subject}" + (f" (template {change.after})" if change.after else "")
        ),
        "position_template": lambda: (
            f"template         {change.subject}"
            + ("" if change.field in ("", "template") else f" ({change.field})")
            + f": {change.before or '—'} → {change.after or '—'}"
        ),
        "position_without_template": lambda: (
            f"no template      {change.subject}: bind one (shopkpi import positions)"
        ),
        "new_employee": lambda: f"new employee     {change.subject} {change.after}",
        "changed_field": lambda: (
            f"changed          {change.subject} {change.field}: {_shown(change.before)} → {_shown(change.after)}{since}"
        ),
        "leaver": lambda: f"leaver           {change.subject} leaves on {change.after}",
        "new_owner": lambda: f"new owner        {change.subject}: {change.after}{since}",
        "hand_over": lambda: (
            f"hand-over        {change.subject}: {change.before} → {change.after}{since}"
            + (
                f" ({change.before}'s ownership ends {change.valid_from - dt.timedelta(days=1)})"
                if change.valid_from
                else ""
            )
        ),
        "ownership_end": lambda: (
            f"ownership ends   {change.subject}: {_shown(change.before)} → {_shown(change.after)}"
        ),
        "ownership_removed": lambda: f"removed          {change.subject}: {change.before}{since}",
    }
    return lines[change.kind]()


def _shown(value: object) -> str:
    return "—" if value is None or value == "" else str(value)


@click.command("import")
@click.argument("dataset", required=False, type=click.Choice(sorted(DATASETS)))
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--profile", help="Import profile to use (default: recognised from the headers and file name).")
@click.option("--period", help="The period the data must lie in, e.g. 2026-10.")
@click.option(
    "--user", help="Who imports (recorded with the batch and in the audit log; default: the OS user)."
)
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="COLUMN=VALUE",
    help="A column the file lacks, e.g. --set shop=旗舰店 for a 生意参谋 report.",
)
@click.option(
    "--timezone",
    envvar="SHOPKPI_TIME_ZONE",
    default=DEFAULT_TIMEZONE,
    show_default=True,
    help="The company's time zone of the file's times (default: the setting SHOPKPI_TIME_ZONE).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Read and check the files and list the problems, warnings and (for the organisation's workbooks) "
    "what would change: new people, changed fields, leavers, new owners, hand-overs; write nothing.",
)
@click.option(
    "--accept-warnings",
    is_flag=True,
    help="Import even though the check found warnings (rows outside the period, empty money cells …).",
)
@click.option(
    "--withdraw",
    metavar="BATCH",
    help="Withdraw (撤回) an imported batch instead: its rows leave the current data (needs --reason).",
)
@click.option("--reason", help="Why the batch is withdrawn (recorded in the audit log).")
@click.pass_context
def import_command(
    ctx: click.Context,
    dataset: str | None,
    files: tuple[Path, ...],
    profile: str | None,
    period: str | None,
    user: str | None,
    sets: tuple[str, ...],
    timezone: str,
    dry_run: bool,
    accept_warnings: bool,
    withdraw: str | None,
    reason: str | None,
) -> None:
    """Import export files into DATASET, all or nothing (导入数据); or withdraw a batch (撤回).

    Every problem is listed by file, row, column and reason, and then nothing is imported.
    Warnings (rows outside the period, empty money or count cells, accounts nobody owns, rows
    that repeat each other, a file that replaces part of another period's batch) are listed and
    nothing is imported unless --accept-warnings is given (exit status 3). The same file again
    changes nothing; a corrected file replaces the rows of the same accounts and dates, and the
    replaced batch stays in history.

    `shopkpi import --withdraw BATCH --reason TEXT` withdraws an imported batch: its rows leave the
    current data, the history keeps it, the audit log records who and why, and the reviews of an
    open month that used it are recomputed. A batch an archived month used is refused.
    """
    if withdraw is not None:
        if dataset is not None or files:
            raise click.UsageError("--withdraw BATCH takes no DATASET or FILE")
        _withdraw(ctx, withdraw, reason or "", user or os_user())
        return
    if dataset is None or not files:
        raise click.UsageError("give a DATASET and at least one FILE (or --withdraw BATCH)")
    request_sets = _parse_sets(sets)
    home = prepare_home(current(ctx).home)
    from shopkpi.appraisal.importing.imports import (  # needs Django set up
        ORGANISATION_DATASETS,
        ImportRequest,
        run_import,
    )

    request = ImportRequest(
        files=files,
        user=user or os_user(),
        dataset=dataset,
        profile=profile,
        period=period,
        sets=request_sets,
        timezone=timezone,
        dry_run=dry_run,
        accept_warnings=accept_warnings,
    )
    with _progress(files) as progress:
        tasks: dict[str, object] = {}

        def on_progress(name: str, done: int, total: int) -> None:
            if progress is None:
                return
            if name not in tasks:
                tasks[name] = progress.add_task(name, total=total)
            progress.update(tasks[name], completed=done)  # type: ignore[arg-type]

        try:
            report = run_import(home, request, progress=on_progress)
        except ImportRefused as refused:
            click.echo(refused.report(), err=True)
            click.echo("nothing was imported", err=True)
            ctx.exit(1)
    if report.state == "needs_confirmation":
        for warning in report.warnings:
            click.echo(f"warning    {warning}", err=True)
        click.echo(
            f"nothing was imported: {len(report.warnings)} warning(s); check them, then run again "
            "with --accept-warnings to import anyway",
            err=True,
        )
        ctx.exit(NEEDS_CONFIRMATION)
    for outcome in report.outcomes:
        click.echo(describe(outcome, dataset))
    for warning in report.warnings:
        accepted = "accepted" if report.written else "warning "
        click.echo(f"{accepted}   {warning}")
    for change in report.changes:
        click.echo(describe_change(change))
    if dataset in ORGANISATION_DATASETS:
        written = [c for c in report.changes if not c.is_flag]
        if report.state == "previewed":
            click.echo("dry run: nothing was written")
        else:
            click.echo(f"{len(written)} change(s) written" if written else "nothing changed")


def _withdraw(ctx: click.Context, batch: str, reason: str, user: str) -> None:
    home = prepare_home(current(ctx).home)
    from shopkpi.appraisal.importing.import_withdrawal import (  # needs Django set up
        WithdrawRefused,
        withdraw_batch,
    )

    try:
        report = withdraw_batch(home, batch, user=user, reason=reason)
    except WithdrawRefused as refused:
        click.echo(f"not withdrawn: {refused}", err=True)
        ctx.exit(1)
    info = report.batch
    click.echo(f"withdrawn  {info.id} ({info.file_name} → {info.dataset}, {info.row_count} rows)")
    for change in report.reviews:
        who = f"{change.period} {change.employee}"
        if change.recomputed:
            click.echo(
                f"recomputed {who}: score {_shown(change.score_before)} → {_shown(change.score_after)}, "
                f"pay {_shown(change.pay_before)} → {_shown(change.pay_after)}"
            )
        else:
            click.echo(f"kept       {who}: its values were frozen at HR's check; HR overrides them if needed")
