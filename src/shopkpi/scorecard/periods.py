"""Periods: `2026-10` (month), `2026-Q4` (quarter), `2026` (year), and the one before each."""

from __future__ import annotations

import re

from shopkpi.scorecard.template import Period

_FORMS: dict[str, re.Pattern[str]] = {
    "month": re.compile(r"(\d{4})-(0[1-9]|1[0-2])"),
    "quarter": re.compile(r"(\d{4})-Q([1-4])"),
    "year": re.compile(r"(\d{4})"),
}
_EXAMPLES = {"month": "2026-10", "quarter": "2026-Q4", "year": "2026"}


class PeriodError(ValueError):
    pass


def check_period(text: str, kind: Period) -> str:
    if not _FORMS[kind].fullmatch(text):
        raise PeriodError(f"{text!r} is not a {kind} period; write it as {_EXAMPLES[kind]}")
    return text


def previous_period(text: str, kind: Period) -> str:
    match = _FORMS[kind].fullmatch(text)
    if match is None:
        raise PeriodError(f"{text!r} is not a {kind} period; write it as {_EXAMPLES[kind]}")
    year = int(match.group(1))
    if kind == "year":
        return f"{year - 1:04d}"
    number = int(match.group(2))
    if kind == "month":
        return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"
    return f"{year - 1:04d}-Q4" if number == 1 else f"{year:04d}-Q{number - 1}"


def periods_of_year(text: str, kind: Period) -> tuple[str, ...]:
    """The periods of the year `text` belongs to, in order: 2026-01 … 2026-12, 2026-Q1 … 2026-Q4, 2026."""
    match = _FORMS[kind].fullmatch(text)
    if match is None:
        raise PeriodError(f"{text!r} is not a {kind} period; write it as {_EXAMPLES[kind]}")
    year = int(match.group(1))
    if kind == "year":
        return (f"{year:04d}",)
    if kind == "month":
        return tuple(f"{year:04d}-{number:02d}" for number in range(1, 13))
    return tuple(f"{year:04d}-Q{number}" for number in range(1, 5))
