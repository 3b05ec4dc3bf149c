"""The appraisal period, one type for every layer: a month (`2026-10`), a quarter (`2026-Q4`) or a
year (`2026`).

A period covers whole days, both ends included. Its previous period is the one of the same kind just
before it (September for October, Q3 for Q4, the year before); the periods of a kind inside it are
its parts (the three months of a quarter, the twelve months or four quarters of a year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

PeriodKind = Literal["month", "quarter", "year"]
KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "year")
MONTHS: dict[PeriodKind, int] = {"month": 1, "quarter": 3, "year": 12}
EXAMPLES: dict[PeriodKind, str] = {"month": "2026-10", "quarter": "2026-Q4", "year": "2026"}

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_YEAR = re.compile(r"(\d{4})")


FIRST_YEAR, LAST_YEAR = 1900, 2999  # the years a period may name


class PeriodError(ValueError):
    """A period that cannot be read, or is not of the kind asked for. `code` is `bad_period` (not
    YYYY-MM, YYYY-Qn or YYYY) or `wrong_kind`; `text` and `kind` are its parameters."""

    def __init__(self, text: str, code: str = "bad_period", kind: PeriodKind | None = None) -> None:
        self.text = text
        self.code = code
        self.kind = kind
        if code == "wrong_kind" and kind is not None:
            message = f"{text!r} is not a {kind} period; write it as {EXAMPLES[kind]}"
        else:
            message = f"period {text!r} is not YYYY-MM (2026-10), YYYY-Qn (2026-Q4) or YYYY (2026)"
        super().__init__(message)


@dataclass(frozen=True, order=True)
class Period:
    """Periods order by their last day, then their first: a quarter sorts just before its last month."""

    end: date
    start: date
    text: str = field(compare=False)
    kind: PeriodKind = field(compare=False)

    @staticmethod
    def parse(text: str) -> Period:
        """`2026-10`, `2026-Q4` or `2026` (the spec's forms), surrounding spaces ignored; a year
        between 1900 and 2999."""
        return _parsed(str(text))

    @staticmethod
    def _parse(text: str) -> Period:
        value = text.strip()
        year_text = value[:4]
        if year_text.isdigit() and not FIRST_YEAR <= int(year_text) <= LAST_YEAR:
            raise PeriodError(text)  # `0000`, `9999`: no appraisal year (nor a date's)
        if match := _MONTH.fullmatch(value):
            year, month = int(match.group(1)), int(match.group(2))
            if not 1 <= month <= 12:
                raise PeriodError(text)
            return month_of(year, month)
        if match := _QUARTER.fullmatch(value):
            return quarter_of(int(match.group(1)), int(match.group(2)))
        if match := _YEAR.fullmatch(value):
            return year_of(int(match.group(1)))
        raise PeriodError(text)

    @staticmethod
    def of_kind(text: str, kind: PeriodKind) -> Period:
        """The period `text` names, which must be of `kind` (PeriodError `wrong_kind` otherwise)."""
        period = Period.parse(text)
        if period.kind != kind:
            raise PeriodError(str(text), "wrong_kind", kind)
        return period

    @property
    def year(self) -> int:
        return self.start.year

    def previous(self) -> Period:
        return _previous(self)

    def next(self) -> Period:
        return _starting(self.end + timedelta(days=1), self.kind)

    def parts(self, kind: PeriodKind) -> tuple[Period, ...]:
        """The periods of `kind` inside this one, in order (itself for its own kind; none for a longer kind)."""
        step = MONTHS[kind]
        if step > MONTHS[self.kind]:
            return ()
        return tuple(
            _starting(_shift_month(self.start, offset), kind) for offset in range(0, MONTHS[self.kind], step)
        )

    def of_year(self) -> tuple[Period, ...]:
        """The periods of this kind in its year: 2026-01 … 2026-12, 2026-Q1 … 2026-Q4, or 2026."""
        return _year_parts(self.year, self.kind)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __str__(self) -> str:
        return self.text


# Periods are immutable and few: the engine asks for the same ones for every employee (parsing them,
# and stepping back through their history), so each is made once
@lru_cache(maxsize=4096)
def _parsed(text: str) -> Period:
    return Period._parse(text)


@lru_cache(maxsize=4096)
def _previous(period: Period) -> Period:
    return _starting(_shift_month(period.start, -MONTHS[period.kind]), period.kind)


def month_of(year: int, month: int) -> Period:
    return _span(date(year, month, 1), 1, f"{year:04d}-{month:02d}", "month")


def quarter_of(year: int, quarter: int) -> Period:
    return _span(date(year, 3 * quarter - 2, 1), 3, f"{year:04d}-Q{quarter}", "quarter")


@lru_cache(maxsize=256)
def _year_parts(year: int, kind: PeriodKind) -> tuple[Period, ...]:
    """A year's periods of a kind, made once (a year-end consequence rule asks for every review)."""
    return year_of(year).parts(kind)


def year_of(year: int) -> Period:
    return _span(date(year, 1, 1), 12, f"{year:04d}", "year")


def _starting(first: date, kind: PeriodKind) -> Period:
    if kind == "month":
        return month_of(first.year, first.month)
    if kind == "quarter":
        return quarter_of(first.year, (first.month + 2) // 3)
    return year_of(first.year)


def _span(start: date, months: int, text: str, kind: PeriodKind) -> Period:
    return Period(start=start, end=_shift_month(start, months) - timedelta(days=1), text=text, kind=kind)


def _shift_month(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)
