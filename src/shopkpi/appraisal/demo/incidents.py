"""The demo's incident records (奖惩记录) of the month in progress: a few people's supervisors note a
差评, a missing work record or a 违规用语 during the month, through the same service the page uses, before
the month is opened (so the month reads them, and their count replaces the number typed for them)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils import timezone

from shopkpi.appraisal.demo.organisation import HR_CODE
from shopkpi.appraisal.incidents import records
from shopkpi.appraisal.incidents.kinds import kinds_for
from shopkpi.appraisal.models import Employee
from shopkpi.scorecard.periods import Period

PEOPLE = 4  # how many people get incidents
NOTES = (
    "顾客反馈回复不及时，给了差评",
    "周工作总结未按时提交",
    "接待中使用了不规范用语",
    "当天工作记录缺失",
)


def record_demo_incidents(home: Path, period: str) -> int:
    """Incidents for the first PEOPLE employees (by 工号) whose template counts some and whose
    supervisor has a login: one on the 8th, and for every other one a second on the 15th. Returns how many."""
    span = Period.parse(period)
    today = timezone.localdate()
    count = 0
    noted = 0
    people = (
        Employee.objects.filter(supervisor__user__isnull=False)
        .exclude(code=HR_CODE)
        .select_related("position", "supervisor__user")
        .order_by("code")
    )
    for employee in people:
        if noted >= PEOPLE or employee.supervisor is None:
            break
        kinds = [k for k in kinds_for(home, employee, span.start) if k.name.endswith("次数")]  # counts
        if not kinds:
            continue
        days = (8, 15) if noted % 2 == 0 else (8,)
        for n, day in enumerate(days):
            when = dt.date(span.start.year, span.start.month, day)
            if when > today:
                continue
            kind = kinds[n % len(kinds)]
            note = NOTES[(count + n) % len(NOTES)]
            given = records.IncidentInput(employee.code, when, kind.name, 1, note)
            records.record(employee.supervisor.user, given, home=home)
            count += 1
        noted += 1
    return count
