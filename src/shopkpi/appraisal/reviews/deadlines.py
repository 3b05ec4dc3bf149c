"""Deadlines of a cycle's steps, moved to the next working day, and the overdue flag.

Working days follow the Chinese statutory holidays and 调休 (make-up working days) of the
maintained `chinesecalendar` package (`chinese_calendar.is_workday`). For a year the package does
not know yet (it is updated each year once the State Council publishes the next year's
arrangement), the check falls back to weekends only: Monday to Friday are working days. The
fallback is reported by `is_workday_known` so a page can say so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar
from django.db.models import Q

from shopkpi.appraisal.models import Review
from shopkpi.appraisal.reviews.chain import CHAIN_STATUSES
from shopkpi.scorecard import Period

# default day of the month after the period (a month, a quarter or a year) by which each step is due (the seeds' "每月10日前" for HR)
SELF_DAY = 3
SUPERVISOR_DAY = 7
HR_DAY = 10


@dataclass(frozen=True)
class Deadlines:
    self_due: dt.date
    supervisor_due: dt.date
    hr_due: dt.date


def is_workday_known(day: dt.date) -> bool:
    """Whether the holiday calendar covers `day`'s year (otherwise weekends are the only days off)."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_workday(day: dt.date) -> bool:
    """A working day by the statutory calendar with 调休; outside the calendar's years, Monday..Friday."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def next_working_day(day: dt.date) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def default_deadlines(period: str) -> Deadlines:
    """Self-review by the 3rd, supervisor by the 7th, HR by the 10th of the month after the period (a
    month, a quarter or a year), each moved to the next working day."""
    after = Period.parse(period).end + dt.timedelta(days=1)
    year, month = after.year, after.month
    return Deadlines(
        self_due=next_working_day(dt.date(year, month, SELF_DAY)),
        supervisor_due=next_working_day(dt.date(year, month, SUPERVISOR_DAY)),
        hr_due=next_working_day(dt.date(year, month, HR_DAY)),
    )


def due_date(review: Review) -> dt.date | None:
    """The deadline of the step the review waits for, or None when that step has no deadline: the
    cycle's for the self-review and the supervisor; a step of the approval chain its own (HR's step
    without one: the cycle's HR deadline)."""
    cycle = review.cycle
    if review.status in CHAIN_STATUSES:
        return review.step_due or (cycle.hr_due if review.status == Review.Status.PENDING_HR else None)
    return {
        Review.Status.PENDING_SELF: cycle.self_due,
        Review.Status.PENDING_SUPERVISOR: cycle.supervisor_due,
    }.get(Review.Status(review.status))


def overdue(review: Review, today: dt.date) -> bool:
    """Whether the review's current step is past its deadline (the deadline day itself is still on time)."""
    if review.cycle.status != "open":
        return False
    due = due_date(review)
    return due is not None and today > due


def overdue_reviews(today: dt.date) -> Q:
    """`overdue` as a query filter over reviews: counted and filtered in the database."""
    return Q(cycle__status="open") & (
        Q(status=Review.Status.PENDING_SELF, cycle__self_due__lt=today)
        | Q(status=Review.Status.PENDING_SUPERVISOR, cycle__supervisor_due__lt=today)
        | Q(status=Review.Status.PENDING_HR, step_due__isnull=True, cycle__hr_due__lt=today)
        | Q(status__in=CHAIN_STATUSES, step_due__lt=today)
    )
