"""`shopkpi remind`: send the reminders due today (steps due soon, overdue steps) and retry failed sends;
raise the action items of results whose appeal window has closed since (consequences.settle_due).

Meant for cron once a day; running it again the same day sends nothing twice. `--daily-at HH:MM`
keeps running and sends them every day at that time (`shopkpi worker --remind-at` schedules them as a job
instead, for a company with several servers).
"""

from __future__ import annotations

import datetime as dt
import time

import click

from shopkpi.cli.django_home import prepare_home
from shopkpi.cli.home import current


def time_of_day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.time | None:
    if value is None:
        return None
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a time of day like 08:00") from None


def _run_once(today: dt.date, days: int | None) -> None:
    from shopkpi.appraisal.notifications.reminders import remind
    from shopkpi.appraisal.periods.consequences import settle_due

    sent = remind(today, days)
    click.echo(
        f"{today.isoformat()}: {sent.due} due-soon and {sent.overdue} overdue reminders sent, "
        f"{sent.retried} failed sends retried"
    )
    final = settle_due()
    click.echo(f"{final} results final since their appeal window closed: their action items raised")


@click.command("remind")
@click.option(
    "--date",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Remind as on this day (default: today in SHOPKPI_TIME_ZONE).",
)
@click.option(
    "--days",
    type=click.IntRange(0, 60),
    help="Announce a step due within this many days (default: SHOPKPI_REMIND_DAYS, 2).",
)
@click.option(
    "--daily-at",
    callback=time_of_day,
    help="Keep running and remind every day at this time (HH:MM, SHOPKPI_TIME_ZONE).",
)
@click.pass_context
def remind_command(
    ctx: click.Context, on: dt.datetime | None, days: int | None, daily_at: dt.time | None
) -> None:
    """Send today's reminders (due soon, overdue) and retry failed sends; idempotent for a day."""
    prepare_home(current(ctx).home)
    from django.utils import timezone

    if daily_at is None:
        _run_once(on.date() if on else timezone.localdate(), days)
        return
    while True:
        now = timezone.localtime()
        next_run = now.replace(hour=daily_at.hour, minute=daily_at.minute, second=0, microsecond=0)
        if next_run <= now:
            next_run += dt.timedelta(days=1)
        time.sleep((next_run - now).total_seconds())
        _run_once(timezone.localdate(), days)
