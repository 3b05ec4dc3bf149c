"""Deadlines by the Chinese statutory holiday and 调休 calendar, and the overdue flag."""

from __future__ import annotations

import datetime as dt

import pytest

from appraisal.workflow_company import Company, advance, build_company, open_month
from shopkpi.appraisal.models import Cycle, Review
from shopkpi.appraisal.reviews.deadlines import (
    default_deadlines,
    due_date,
    is_workday_known,
    next_working_day,
    overdue,
)

D = dt.date
S = Review.Status


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 10, 3), D(2026, 10, 8)),  # National Day, 1–7 October 2026 off
        (D(2026, 10, 10), D(2026, 10, 10)),  # Saturday, a make-up working day (调休)
        (D(2026, 10, 11), D(2026, 10, 12)),  # an ordinary Sunday
        (D(2026, 2, 14), D(2026, 2, 14)),  # Saturday before Spring Festival, worked (调休)
        (D(2026, 2, 15), D(2026, 2, 24)),  # Spring Festival, 15–23 February 2026 off
        (D(2026, 11, 3), D(2026, 11, 3)),  # an ordinary Tuesday
    ],
)
def test_next_working_day_follows_the_statutory_calendar(day: dt.date, expected: dt.date) -> None:
    assert next_working_day(day) == expected


def test_outside_the_calendars_years_only_weekends_are_days_off() -> None:
    assert not is_workday_known(D(2031, 1, 4))
    assert is_workday_known(D(2026, 1, 4))
    assert next_working_day(D(2031, 1, 4)) == D(2031, 1, 6)  # Saturday → Monday
    assert next_working_day(D(2031, 1, 1)) == D(2031, 1, 1)  # a Wednesday: no holiday data, so a working day


def test_default_deadlines_are_the_3rd_7th_and_10th_of_the_following_month() -> None:
    january = default_deadlines("2026-01")
    assert january.self_due == D(2026, 2, 3)  # Tuesday
    assert january.supervisor_due == D(2026, 2, 9)  # the 7th is a Saturday → Monday the 9th
    assert january.hr_due == D(2026, 2, 10)  # Tuesday
    december = default_deadlines("2026-12")
    assert december.self_due.year == 2027 and december.self_due.month == 1


@pytest.mark.django_db
def test_overdue_flags_the_step_past_its_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    co: Company = build_company(monkeypatch)
    open_month(co)
    review = co.review("E01")
    assert due_date(review) == D(2026, 10, 8)
    assert not overdue(review, D(2026, 10, 8))  # the deadline day itself is on time
    assert overdue(review, D(2026, 10, 9))
    review = advance(co, "E01", S.PENDING_HR)
    assert due_date(review) == D(2026, 10, 10)
    assert not overdue(review, D(2026, 10, 10))
    assert overdue(review, D(2026, 10, 12))
    review = advance(co, "E01", S.PENDING_GM)
    assert due_date(review) is None and not overdue(review, D(2027, 1, 1))
    pending = co.review("E02")
    Cycle.objects.update(status=Cycle.Status.ARCHIVED)
    pending.refresh_from_db()
    assert not overdue(pending, D(2027, 1, 1))  # an archived cycle flags nothing
