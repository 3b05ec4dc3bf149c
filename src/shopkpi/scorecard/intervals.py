"""Intervals over one number (`">= 80%"`, `"[70%, 80%)"`, `"== 0"`) and the tables built from them.

A band table, a grade list and a `lookup` table are lists of intervals that must not overlap
and must leave no gap over the values that can occur.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from shopkpi.scorecard.numbers import NUMBER_PATTERN, literal_value

_SIGNED = rf"[+-]?{NUMBER_PATTERN}"
_COMPARISON_RE = re.compile(rf"\s*(>=|<=|==|>|<)\s*({_SIGNED})\s*")
_RANGE_RE = re.compile(rf"\s*([\[(])\s*({_SIGNED})\s*,\s*({_SIGNED})\s*([\])])\s*")


class IntervalError(ValueError):
    """A text that is not one of the nine interval forms."""


@dataclass(frozen=True, slots=True)
class Bound:
    value: Decimal
    text: str  # as written, so messages quote the template's own numbers


@dataclass(frozen=True, slots=True)
class Interval:
    """A set of numbers: `low` and `high` are None where the interval is unbounded."""

    low: Bound | None
    low_closed: bool
    high: Bound | None
    high_closed: bool
    text: str

    def __contains__(self, value: Decimal) -> bool:
        if self.low is not None:
            lo = self.low.value
            if value < lo or (value == lo and not self.low_closed):
                return False
        if self.high is not None:
            hi = self.high.value
            if value > hi or (value == hi and not self.high_closed):
                return False
        return True

    def canonical(self) -> str:
        """The interval written in one of the nine forms (used for round-trips and messages)."""
        lo, hi = self.low, self.high
        if lo is not None and hi is not None:
            if lo.value == hi.value and self.low_closed and self.high_closed:
                return f"== {lo.text}"
            return f"{'[' if self.low_closed else '('}{lo.text}, {hi.text}{']' if self.high_closed else ')'}"
        if lo is not None:
            return f"{'>=' if self.low_closed else '>'} {lo.text}"
        if hi is not None:
            return f"{'<=' if self.high_closed else '<'} {hi.text}"
        return "any number"


def parse_interval(text: str) -> Interval:
    """Parse one of `>= a`, `> a`, `<= a`, `< a`, `== a`, `[a, b)`, `(a, b]`, `[a, b]`, `(a, b)`."""
    match = _COMPARISON_RE.fullmatch(text)
    if match:
        op, literal = match.groups()
        bound = Bound(literal_value(literal), literal)
        if op == "==":
            return Interval(bound, True, bound, True, text)
        if op in (">=", ">"):
            return Interval(bound, op == ">=", None, False, text)
        return Interval(None, False, bound, op == "<=", text)
    match = _RANGE_RE.fullmatch(text)
    if match:
        left, low_text, high_text, right = match.groups()
        low = Bound(literal_value(low_text), low_text)
        high = Bound(literal_value(high_text), high_text)
        interval = Interval(low, left == "[", high, right == "]", text)
        if low.value > high.value or (
            low.value == high.value and not (interval.low_closed and interval.high_closed)
        ):
            raise IntervalError(f"{text!r} is empty: its lower end is not below its upper end")
        return interval
    raise IntervalError(
        f"{text!r} is not an interval; write one of >= a, > a, <= a, < a, == a, [a, b), (a, b], [a, b], (a, b)"
    )


# --- tables ------------------------------------------------------------------------------------


def _lower_key(interval: Interval) -> tuple[int, Decimal, int]:
    """Sort key of the lower end: -inf first, then by value, a closed end before an open one."""
    if interval.low is None:
        return (0, Decimal(0), 0)
    return (1, interval.low.value, 0 if interval.low_closed else 1)


def _intersection(a: Interval, b: Interval) -> Interval | None:
    low, low_closed = a.low, a.low_closed
    if b.low is not None and (
        low is None or b.low.value > low.value or (b.low.value == low.value and not b.low_closed)
    ):
        low, low_closed = b.low, b.low_closed
    high, high_closed = a.high, a.high_closed
    if b.high is not None and (
        high is None or b.high.value < high.value or (b.high.value == high.value and not b.high_closed)
    ):
        high, high_closed = b.high, b.high_closed
    if low is not None and high is not None:
        if low.value > high.value:
            return None
        if low.value == high.value and not (low_closed and high_closed):
            return None
    shape = Interval(low, low_closed, high, high_closed, "")
    return Interval(low, low_closed, high, high_closed, shape.canonical())


def find_overlaps(intervals: Sequence[Interval]) -> list[tuple[Interval, Interval, Interval]]:
    """Every pair of intervals that share a number, with the shared part."""
    found = []
    for i, a in enumerate(intervals):
        for b in intervals[i + 1 :]:
            common = _intersection(a, b)
            if common is not None:
                found.append((a, b, common))
    return found


def find_gaps(
    intervals: Sequence[Interval], low: Decimal | None = None, high: Decimal | None = None
) -> list[Interval]:
    """The parts of [low, high] (the whole line where an end is None) that no interval covers."""
    gaps: list[Interval] = []
    limit = _bound(high)
    # the cursor is the start of what is not yet known to be covered (None: -infinity);
    # `uncovered_at_cursor` tells whether the cursor's own value is still uncovered
    cursor = _bound(low)
    uncovered_at_cursor = True
    for interval in sorted(intervals, key=_lower_key):
        start = interval.low
        if start is not None:
            if cursor is None:
                _add_gap(gaps, None, False, start, not interval.low_closed, limit)
            elif start.value > cursor.value or (
                start.value == cursor.value and uncovered_at_cursor and not interval.low_closed
            ):
                _add_gap(gaps, cursor, uncovered_at_cursor, start, not interval.low_closed, limit)
        end = interval.high
        if end is None:
            return gaps
        end_uncovered = not interval.high_closed
        if (
            cursor is None
            or end.value > cursor.value
            or (end.value == cursor.value and uncovered_at_cursor and not end_uncovered)
        ):
            cursor, uncovered_at_cursor = end, end_uncovered
    if limit is None:
        _add_gap(gaps, cursor, uncovered_at_cursor, None, False, None)
    elif (
        cursor is None or cursor.value < limit.value or (cursor.value == limit.value and uncovered_at_cursor)
    ):
        _add_gap(gaps, cursor, uncovered_at_cursor, limit, True, limit)
    return gaps


def _add_gap(
    gaps: list[Interval],
    low: Bound | None,
    low_closed: bool,
    high: Bound | None,
    high_closed: bool,
    limit: Bound | None,
) -> None:
    """Record the gap (low, high), clipped to the region's upper end `limit`."""
    if limit is not None:
        if low is not None and (low.value > limit.value or (low.value == limit.value and not low_closed)):
            return
        if high is None or high.value > limit.value:
            high, high_closed = limit, True
    if (
        low is not None
        and high is not None
        and (low.value > high.value or (low.value == high.value and not (low_closed and high_closed)))
    ):
        return
    shape = Interval(low, low_closed, high, high_closed, "")
    gaps.append(Interval(low, low_closed, high, high_closed, shape.canonical()))


def _bound(value: Decimal | None) -> Bound | None:
    if value is None:
        return None
    text = format(value.normalize(), "f") if value != value.to_integral_value() else format(value, "f")
    return Bound(value, text)
