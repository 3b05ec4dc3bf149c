"""The daily reminders as a job: a schedule in the application database (django-q2's), run by whichever
`shopkpi worker` takes it, once a day at the time the company chose (SHOPKPI_TIME_ZONE), however many
servers and workers share the database. Sending is idempotent for a day (`reminders.remind`)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shopkpi.appraisal.notifications.reminders import remind
from shopkpi.appraisal.periods.consequences import settle_due

SCHEDULE = "shopkpi daily reminders"


def schedule_reminders(at: dt.time | None) -> dt.datetime | None:
    """Send the reminders every day at `at` from now on (None: no more); the next run."""
    from django_q.models import Schedule

    if at is None:
        Schedule.objects.filter(name=SCHEDULE).delete()
        return None
    now = timezone.localtime()
    next_run = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if next_run <= now:
        next_run += dt.timedelta(days=1)
    Schedule.objects.update_or_create(
        name=SCHEDULE,
        defaults={
            "func": "shopkpi.appraisal.notifications.daily.send_today",
            "schedule_type": Schedule.DAILY,
            "repeats": -1,
            "next_run": next_run,
        },
    )
    return next_run


def send_today() -> None:
    """What the schedule runs: today's reminders (and failed sends again), then the results that became
    final since their appeal window closed (as `shopkpi remind` does)."""
    remind(timezone.localdate())
    settle_due()
