"""The one period type: a month, a quarter or a year, its days, the one before and after, its parts."""

from __future__ import annotations

from datetime import date

import pytest

from shopkpi.scorecard import Period, PeriodError


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "previous", "following"),
    [
        ("2026-10", "month", date(2026, 10, 1), date(2026, 10, 31), "2026-09", "2026-11"),
        ("2026-01", "month", date(2026, 1, 1), date(2026, 1, 31), "2025-12", "2026-02"),
        ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29), "2024-01", "2024-03"),
        ("2026-12", "month", date(2026, 12, 1), date(2026, 12, 31), "2026-11", "2027-01"),
        ("2026-Q1", "quarter", date(2026, 1, 1), date(2026, 3, 31), "2025-Q4", "2026-Q2"),
        ("2026-Q4", "quarter", date(2026, 10, 1), date(2026, 12, 31), "2026-Q3", "2027-Q1"),
        (" 2026 ", "year", date(2026, 1, 1), date(2026, 12, 31), "2025", "2027"),
    ],
)
def test_periods(text: str, kind: str, start: date, end: date, previous: str, following: str) -> None:
    period = Period.parse(text)
    assert (period.kind, period.start, period.end) == (kind, start, end)
    assert period.previous().text == previous
    assert period.next().text == following
    assert period.previous().end.toordinal() + 1 == period.start.toordinal()
    assert period.days == (end - start).days + 1


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",
        "2026-00",
        "26-10",
        "2026-Q5",
        "October",
        "",
        "2026-Q",
        "2026-1",
        "2026-q4",
        "2026/10",
        "0000",
        "0000-01",
        "9999-Q4",
    ],
)
def test_bad_periods(text: str) -> None:
    with pytest.raises(PeriodError) as raised:
        Period.parse(text)
    assert raised.value.code == "bad_period"


def test_a_period_of_another_kind_is_refused_with_the_kind_asked_for() -> None:
    with pytest.raises(PeriodError) as raised:
        Period.of_kind("2026-Q3", "month")
    assert (raised.value.code, raised.value.kind, raised.value.text) == ("wrong_kind", "month", "2026-Q3")
    assert "2026-10" in str(raised.value)  # how to write a month
    assert Period.of_kind("2026-07", "month").text == "2026-07"


def test_parts_and_the_periods_of_a_year() -> None:
    q3 = Period.parse("2026-Q3")
    assert [p.text for p in q3.parts("month")] == ["2026-07", "2026-08", "2026-09"]
    assert q3.parts("year") == ()
    assert [p.text for p in Period.parse("2026").parts("quarter")] == [
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
    ]
    assert len(Period.parse("2026").parts("month")) == 12
    assert [p.text for p in Period.parse("2026-05").of_year()][::11] == ["2026-01", "2026-12"]


def test_periods_order_by_their_last_day_a_quarter_just_before_its_last_month() -> None:
    texts = ["2026-10", "2026-Q3", "2026-07", "2026-09", "2026", "2026-08"]
    assert [p.text for p in sorted(map(Period.parse, texts))] == [
        "2026-07",
        "2026-08",
        "2026-Q3",
        "2026-09",
        "2026-10",
        "2026",
    ]
    assert Period.parse(" 2026-07 ") == Period.parse("2026-07")
