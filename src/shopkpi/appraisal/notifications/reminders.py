"""`shopkpi remind`: the reminders that are due today, and a retry of the sends that failed.

A step due within SHOPKPI_REMIND_DAYS days (2 by default) is announced once to whoever must act
(the employee, the evaluator, HR, and the GM or the named reviewer of an approval chain step with a
deadline); a step past its deadline is announced once a day. Each reminder
has a key (review, step, deadline or day, recipient), so running the command again the same day
sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from shopkpi.appraisal.models import Cycle, Notice, Review
from shopkpi.appraisal.notifications.events import acting
from shopkpi.appraisal.notifications.service import notify, retry_failed
from shopkpi.appraisal.reviews.chain import current_step
from shopkpi.appraisal.reviews.deadlines import due_date

S = Review.Status


@dataclass(frozen=True)
class Reminded:
    due: int
    overdue: int
    retried: int


def _who_acts(review: Review) -> list[Any]:
    return [user for user in acting(review) if user is not None and user.is_active]


def remind(today: dt.date, days: int | None = None) -> Reminded:
    """Send today's reminders and retry failed sends; what was sent."""
    days = settings.SHOPKPI_REMIND_DAYS if days is None else days
    retried = retry_failed()  # sends that failed in an earlier run (today's new ones are tried below)
    due_count = overdue_count = 0
    waiting = (
        Review.objects.filter(
            cycle__status=Cycle.Status.OPEN,
            status__in=[S.PENDING_SELF, S.PENDING_SUPERVISOR, S.PENDING_HR, S.PENDING_STEP, S.PENDING_GM],
        )
        .select_related("cycle", "employee__department", "employee__user", "evaluator__user")
        .order_by("cycle__period", "employee__code")
    )
    for review in waiting:
        due = due_date(review)
        if due is None:
            continue
        params = {"period": review.cycle.period, "name": review.employee.name, "status": review.status}
        step = current_step(review)
        if step is not None and review.step_due is not None:  # a step of a chain HR set: named as set
            params["step_name"] = step.name
        where: dict[str, Any] = {"review": review, "employee": review.employee}
        if today > due:
            late = (today - due).days
            sent = notify(
                Notice.Kind.OVERDUE,
                _who_acts(review),
                {**params, "due": due.isoformat(), "days": late},
                key=f"overdue:{review.pk}:{review.status}:{today.isoformat()}",
                **where,
            )
            overdue_count += len(sent)
        elif (due - today).days <= days:
            sent = notify(
                Notice.Kind.DUE,
                _who_acts(review),
                {**params, "due": due.isoformat(), "days": (due - today).days},
                key=f"due:{review.pk}:{review.status}:{due.isoformat()}",
                **where,
            )
            due_count += len(sent)
    return Reminded(due=due_count, overdue=overdue_count, retried=retried)
