"""Appraisal periods: a month (`2026-10`), a quarter (`2026-Q4`) or a year (`2026`).

A period covers whole days, both ends included; its previous period is the one of the same
length just before it (September for October, Q3 for Q4, the year before).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    """A period text that is not `YYYY-MM`, `YYYY-Qn` or `YYYY`."""


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    text: str

    @staticmethod
    def parse(text: str) -> Period:
        value = text.strip()
        if match := _MONTH.match(value):
            year, month = int(match.group(1)), int(match.group(2))
            if not 1 <= month <= 12:
                raise PeriodError(f"period {text!r}: month {month} is not 1-12")
            return _months(year, month, 1, f"{year:04d}-{month:02d}")
        if match := _QUARTER.match(value):
            year, quarter = int(match.group(1)), int(match.group(2))
            return _months(year, 3 * quarter - 2, 3, f"{year:04d}-Q{quarter}")
        if match := _YEAR.match(value):
            year = int(match.group(1))
            return _months(year, 1, 12, f"{year:04d}")
        raise PeriodError(f"period {text!r} is not YYYY-MM (2026-10), YYYY-Qn (2026-Q4) or YYYY")

    def previous(self) -> Period:
        months = _month_count(self)
        first = _shift_month(self.start, -months)
        if months == 1:
            return _months(first.year, first.month, 1, f"{first.year:04d}-{first.month:02d}")
        if months == 3:
            return _months(first.year, first.month, 3, f"{first.year:04d}-Q{(first.month + 2) // 3}")
        return _months(first.year, 1, 12, f"{first.year:04d}")

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.text


def _months(year: int, month: int, count: int, text: str) -> Period:
    start = date(year, month, 1)
    end = _shift_month(start, count) - timedelta(days=1)
    return Period(start=start, end=end, text=text)


def _shift_month(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def _month_count(period: Period) -> int:
    after = period.end + timedelta(days=1)
    return (after.year - period.start.year) * 12 + after.month - period.start.month
