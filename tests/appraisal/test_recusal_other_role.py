"""回避 with a single HR or GM: "another HR or GM user" takes the step on their own review."""

from __future__ import annotations

from typing import Any

import pytest

from appraisal.workflow_company import Company, advance, build_company, open_month
from shopkpi.appraisal.models import Review
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews.workflow import perform

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(monkeypatch: Any) -> Company:
    company = build_company(monkeypatch)
    open_month(company)
    return company


def test_a_gm_takes_the_hr_step_of_an_hr_officers_review(company: Company) -> None:
    review = advance(company, "H01", Review.Status.PENDING_HR)
    with pytest.raises(ActionRefused, match="回避"):
        perform(company.user("hr"), review, "submit_hr")  # HR's own review
    perform(company.user("gm"), review, "submit_hr")  # the GM is "another HR or GM user"
    review.refresh_from_db()
    assert review.status == Review.Status.PENDING_GM


def test_hr_takes_the_gm_step_of_the_gms_review(company: Company) -> None:
    review = advance(company, "G01", Review.Status.PENDING_GM)
    with pytest.raises(ActionRefused, match="回避"):
        perform(company.user("gm"), review, "approve")  # the GM's own review
    perform(company.user("hr"), review, "approve")
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED


def test_a_gm_still_may_not_take_the_hr_step_of_anyone_else(company: Company) -> None:
    review = advance(company, "E01", Review.Status.PENDING_HR)
    with pytest.raises(ActionRefused, match="只有人事"):
        perform(company.user("gm"), review, "submit_hr")
