"""The synthetic company's calendar: the months generated and how busy each day is.

A day's traffic factor multiplies every shop's baseline: weekends are busier than weekdays,
the promotion days Chinese shoppers know (女王节 3.8, 618, 双11 with its pre-sale days, 双12)
bring several times the usual visitors and convert better, and the Spring Festival weeks are
quiet (couriers stop). The factors are fixed numbers, so a seed alone decides the data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")

# (month, day) -> (traffic factor, conversion factor)
PROMOTION_DAYS: dict[tuple[int, int], tuple[float, float]] = {
    (3, 7): (1.3, 1.05),
    (3, 8): (1.8, 1.2),
    (6, 16): (1.4, 1.05),
    (6, 17): (1.6, 1.1),
    (6, 18): (2.8, 1.35),
    (11, 11): (5.0, 1.6),
    (11, 12): (1.6, 1.1),
    (12, 12): (2.2, 1.3),
}
# Pre-sale / warm-up windows: (month, first day, last day) -> traffic factor
WARM_UP: tuple[tuple[int, int, int, float], ...] = (
    (6, 1, 15, 1.12),
    (11, 1, 10, 1.3),
    (12, 8, 11, 1.1),
)
# The Spring Festival (正月初一) of the years a demo is likely to cover.
SPRING_FESTIVAL: dict[int, dt.date] = {
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
}
WEEKDAY_FACTOR = (1.0, 0.98, 0.97, 0.99, 1.03, 1.12, 1.18)  # Monday .. Sunday


class CalendarError(ValueError):
    """A start month or month count that cannot be generated."""


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def text(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last(self) -> dt.date:
        return self.next().first - dt.timedelta(days=1)

    def next(self) -> Month:
        return Month(self.year + (self.month == 12), self.month % 12 + 1)

    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range(self.last.day)]


def parse_month(text: str) -> Month:
    match = _MONTH_RE.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise CalendarError(f"not a month: {text!r} (write 2026-05)")
    return Month(int(match.group(1)), int(match.group(2)))


def traffic_factor(day: dt.date) -> float:
    """How busy `day` is compared with an ordinary weekday (1.0)."""
    factor = WEEKDAY_FACTOR[day.weekday()]
    promo = PROMOTION_DAYS.get((day.month, day.day))
    if promo is not None:
        return factor * promo[0]
    for month, first, last, warm in WARM_UP:
        if day.month == month and first <= day.day <= last:
            factor *= warm
    festival = SPRING_FESTIVAL.get(day.year) or SPRING_FESTIVAL.get(day.year + 1)
    if festival is not None and -7 <= (day - festival).days <= 7:
        factor *= 0.55
    return factor


def conversion_factor(day: dt.date) -> float:
    """How much better than usual visitors buy on `day` (promotion days convert better)."""
    promo = PROMOTION_DAYS.get((day.month, day.day))
    return promo[1] if promo is not None else 1.0


@dataclass(frozen=True)
class SynthCalendar:
    months: tuple[Month, ...]

    @staticmethod
    def of(start: str, months: int) -> SynthCalendar:
        if months < 1:
            raise CalendarError(f"months must be at least 1, not {months}")
        if months > 120:
            raise CalendarError(f"at most 120 months, not {months}")
        first = parse_month(start)
        found = [first]
        while len(found) < months:
            found.append(found[-1].next())
        return SynthCalendar(tuple(found))

    @property
    def first_day(self) -> dt.date:
        return self.months[0].first

    @property
    def last_day(self) -> dt.date:
        return self.months[-1].last

    def days(self) -> list[dt.date]:
        return [day for month in self.months for day in month.days()]

    @property
    def handover_month(self) -> Month:
        """The month a shop changes hands on the 16th: the second month (the only one when there is one)."""
        return self.months[1] if len(self.months) > 1 else self.months[0]


def money(value: float) -> Decimal:
    """A float amount as exact 元 with two decimals (half-up)."""
    return Decimal(f"{value:.6f}").quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
