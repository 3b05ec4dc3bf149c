"""`shopkpi synth`: a synthetic company's export files in the platforms' own formats (thin: the
generator lives in shopkpi.synth)."""

from __future__ import annotations

from collections import Counter

import click

from shopkpi.cli.home import current
from shopkpi.synth import SynthError, generate
from shopkpi.synth.generate import DEFAULT_START


@click.command("synth")
@click.option(
    "--employees", type=click.IntRange(min=1), required=True, help="People in the company (10 or more)."
)
@click.option("--months", type=click.IntRange(min=1, max=120), required=True, help="Months of data.")
@click.option("--seed", type=int, required=True, help="The same seed gives the same files, byte for byte.")
@click.option("--start", default=DEFAULT_START, show_default=True, help="The first month, e.g. 2026-05.")
@click.option(
    "--events-per-day",
    type=click.IntRange(min=0),
    help="Clickstream events per day over all shops with a behaviour log (default: 2,000 per shop).",
)
@click.pass_context
def synth_command(
    ctx: click.Context, employees: int, months: int, seed: int, start: str, events_per_day: int | None
) -> None:
    """Write a synthetic company's platform exports under HOME/synth (生成模拟数据).

    employees.csv and accounts.csv, then per month: 生意参谋 shop reports (.xls), 千牛 客服绩效
    (XLSX with summary rows), 京东 客服, 直通车 (GBK CSV), orders, the clickstream, new-media and
    task logs, targets, inputs and ratings. Each file imports with `shopkpi import` as it is.
    """
    home = current(ctx).home
    try:
        manifest = generate(
            home,
            employees,
            months,
            seed,
            start=start,
            events_per_day=events_per_day,
            progress=lambda message: click.echo(message, err=True),
        )
    except SynthError as error:
        raise click.UsageError(str(error)) from None
    files = Counter(f.dataset for f in manifest.files)
    rows = Counter[str]()
    for f in manifest.files:
        rows[f.dataset] += f.rows
    click.echo(f"wrote {len(manifest.files)} files under {manifest.root} (manifest.json lists them)")
    for dataset in files:
        click.echo(f"  {dataset:<15} {files[dataset]:>5} files {rows[dataset]:>14,} rows")
    click.echo(
        f"hand-over: {manifest.handover_shop} from {manifest.handover_from} to {manifest.handover_to} "
        f"on {manifest.handover_day.isoformat()}"
    )
