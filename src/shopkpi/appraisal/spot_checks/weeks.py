"""The weeks of a month a spot check is drawn for: Monday to Sunday, cut at the month's first and last
day, numbered from 1 (a month has four to six)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shopkpi.scorecard.periods import Period


@dataclass(frozen=True)
class Week:
    number: int
    start: dt.date
    end: dt.date


def weeks_of(period: str | Period) -> list[Week]:
    span = Period.parse(period) if isinstance(period, str) else period
    found: list[Week] = []
    start = span.start
    while start <= span.end:
        end = min(span.end, start + dt.timedelta(days=6 - start.weekday()))
        found.append(Week(len(found) + 1, start, end))
        start = end + dt.timedelta(days=1)
    return found


def week_of(period: str | Period, number: int) -> Week | None:
    """The month's week `number`, or None when it has no such week."""
    weeks = weeks_of(period)
    return weeks[number - 1] if 1 <= number <= len(weeks) else None
