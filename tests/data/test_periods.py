from __future__ import annotations

from datetime import date

import pytest

from shopkpi.data.periods import Period, PeriodError


@pytest.mark.parametrize(
    ("text", "start", "end", "previous"),
    [
        ("2026-10", date(2026, 10, 1), date(2026, 10, 31), "2026-09"),
        ("2026-1", date(2026, 1, 1), date(2026, 1, 31), "2025-12"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024-01"),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "2025-Q4"),
        ("2026-q4", date(2026, 10, 1), date(2026, 12, 31), "2026-Q3"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2025"),
    ],
)
def test_periods(text: str, start: date, end: date, previous: str) -> None:
    period = Period.parse(text)
    assert (period.start, period.end) == (start, end)
    assert period.previous().text == previous
    assert period.previous().end.toordinal() + 1 == period.start.toordinal()


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-10", "2026-Q5", "October", ""])
def test_bad_periods(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)
