"""Exclusion calendars: days or hours a platform or the company leaves out of its KPIs, each with a reason.

    calendars:
      promotions:                       # a name (lower_snake_case)
        label_zh: 大促
        label: Promotions
        owner: platform                 # platform or company
        metrics: [cs_inquiries, gmv]    # the base metrics it applies to (a user metric may also say
                                        # `exclude: [promotions]`)
        entries:
          - {from: 2026-11-11, reason: 双11大促}                  # one day
          - {from: 2026-02-16, to: 2026-02-22, reason: 春节}      # days, both included
          - {from: 2026-01-01, hours: "23:00-08:00", reason: 非服务时段}
                                        # hours of every day from `from` (to `to`, open when empty);
                                        # a window may cross midnight; it applies to rows with a
                                        # time (orders, events), not to daily reports

Files are `<home>/calendars/*.yaml`. A row on an excluded day (its date as attribution reads it) or
in an excluded hour (its timestamp) is left out of the metric as if it were not there: the
exclusion joins the source's filter, so a value with every row excluded is null, like one with no
rows. The drill-down lists such a row with the calendar and the reason (`row_sql`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlglot import exp

from shopkpi.data.datasets import DATASETS
from shopkpi.data.metrics.rule_files import parsed_files

_HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Entry(_Strict):
    start: dt.date = Field(alias="from")
    end: dt.date | None = Field(default=None, alias="to")
    hours: str | None = Field(default=None, description='Excluded hours of each day, "23:00-08:00".')
    reason: str = Field(min_length=1)

    @model_validator(mode="after")
    def _valid(self) -> Entry:
        if self.end is not None and self.end < self.start:
            raise ValueError("to is before from")
        if self.hours is not None and _window(self.hours) is None:
            raise ValueError(f'hours must be like "23:00-08:00", not {self.hours!r}')
        return self


class Calendar(_Strict):
    label_zh: str = Field(min_length=1)
    label: str = Field(min_length=1)
    owner: Literal["platform", "company"]
    metrics: tuple[str, ...] = ()
    entries: tuple[Entry, ...] = Field(min_length=1)


class CalendarFile(_Strict):
    calendars: dict[str, Calendar]


@dataclass(frozen=True)
class Span:
    """One entry of a calendar as it applies to a dataset: its condition over the row alias."""

    calendar: str
    label_zh: str
    reason: str
    start: dt.date
    end: dt.date | None
    hours: str | None
    condition: exp.Expr


class CalendarError(ValueError):
    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


def load_calendars(home: Path | None) -> Mapping[str, Calendar]:
    """`<home>/calendars/*.yaml`; CalendarError lists every problem (file: what)."""
    found: dict[str, Calendar] = {}
    problems: list[str] = []
    for file, parsed in parsed_files(None if home is None else home / "calendars", CalendarFile, problems):
        for name, calendar in parsed.calendars.items():
            if name in found:
                problems.append(f"{file}: calendar {name} is defined twice")
            found[name] = calendar
    if problems:
        raise CalendarError(problems)
    return MappingProxyType(found)


def spans(calendar_name: str, calendar: Calendar, dataset: str) -> list[Span]:
    """The calendar's entries as conditions over a row of `dataset` (its columns unqualified, as a
    metric's filter names them). Hours apply to rows with a time only: a dataset of dates (a daily
    report) has no hours to leave out."""
    ds = DATASETS[dataset]
    assert ds.date_column is not None
    column = exp.column(ds.date_column, quoted=True)
    timestamped = ds.column(ds.date_column).type == "timestamp"
    day: exp.Expr = exp.cast(column, "DATE") if timestamped else column
    found = []
    for entry in calendar.entries:
        in_days: exp.Expr
        if entry.hours is None:
            last = entry.end or entry.start
            in_days = exp.Between(this=day.copy(), low=_date(entry.start), high=_date(last))
        else:
            if not timestamped:  # a daily total has no hours to leave out
                continue
            low = exp.GTE(this=day.copy(), expression=_date(entry.start))
            in_days = (
                low
                if entry.end is None
                else exp.and_(low, exp.LTE(this=day.copy(), expression=_date(entry.end)))
            )
            in_days = exp.and_(in_days, _in_hours(column, entry.hours))
        found.append(
            Span(calendar_name, calendar.label_zh, entry.reason, entry.start, entry.end, entry.hours, in_days)
        )
    return found


def excluded_condition(found: Iterable[Span]) -> exp.Expr | None:
    """A row in any of the spans, or None when there are none."""
    conditions = [exp.Paren(this=s.condition.copy()) for s in found]
    return exp.or_(*conditions) if conditions else None


def _date(day: dt.date) -> exp.Expr:
    return exp.cast(exp.Literal.string(day.isoformat()), "DATE")


def _window(text: str) -> tuple[dt.time, dt.time] | None:
    match = _HOURS.match(text.replace(" ", ""))
    if match is None:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59:
        return None
    return dt.time(h1 % 24, m1), dt.time(h2 % 24, m2)


def _in_hours(column: exp.Expr, hours: str) -> exp.Expr:
    """The timestamp's time of day in the window (the first time included, the second not); a
    window crossing midnight (23:00-08:00) is the two parts."""
    window = _window(hours)
    assert window is not None
    first, second = (exp.Literal.string(t.isoformat()) for t in window)
    time = exp.cast(column.copy(), "TIME")
    after = exp.GTE(this=time, expression=exp.cast(first, "TIME"))
    before = exp.LT(this=time.copy(), expression=exp.cast(second, "TIME"))
    if window[0] < window[1]:
        return exp.and_(after, before)
    return exp.Paren(this=exp.or_(after, before))
