"""The employee appeals one spot-checked case from the published review page (申诉这个样本): the form
is there only for them, while the result can be appealed, and files an appeal point of kind spot_check."""

from __future__ import annotations

import pytest
from django.test import Client

from appraisal.test_spot_checks import HOME, co, score  # noqa: F401  (co is the fixture)
from appraisal.workflow_company import Company
from shopkpi.appraisal.models import AppealPoint, Review
from shopkpi.appraisal.reviews.workflow import perform
from shopkpi.appraisal.spot_checks import service

pytestmark = pytest.mark.django_db


def as_user(co: Company, name: str) -> Client:  # noqa: F811
    client = Client()
    client.force_login(co.user(name))
    return client


def test_the_employee_appeals_a_case_from_the_published_review(co: Company) -> None:  # noqa: F811
    gm, p01 = co.user("gm"), co.user("p01")
    perform(p01, co.review("P01"), "save_self", ratings={"spot_check": "80"})
    perform(p01, co.review("P01"), "submit_self")
    case = service.draw_week(gm, co.review("P01").pk, 2, HOME, seed=3, size=1).cases.get()
    score(co, case, (60, 60, 60, 60))
    perform(
        gm,
        co.review("P01"),
        "record_interview",
        held_on="2026-10-05",
        strengths="耐心",
        improvements="话术",
        plan="复盘",
    )
    perform(gm, co.review("P01"), "submit_supervisor")
    perform(co.user("hr"), co.review("P01"), "submit_hr")
    perform(co.user("vgm"), co.review("P01"), "approve")
    review = co.review("P01")
    page = as_user(co, "p01").get(f"/reviews/{review.pk}/").content.decode()
    assert "申诉这个样本" in page and "这个客户不是我接待的" in page
    assert "申诉这个样本" not in as_user(co, "hr").get(f"/reviews/{review.pk}/").content.decode()
    answer = as_user(co, "p01").post(
        f"/reviews/{review.pk}/spot-checks/appeal/",
        {"case": case.pk, "claim": "not_mine", "reason": "售后转接"},
    )
    assert answer.status_code == 302
    point = AppealPoint.objects.get()
    assert (point.kind, point.claim, point.ref["case"], point.ref["score"]) == (
        "spot_check",
        "not_mine",
        case.pk,
        "60",
    )
    assert Review.objects.get(pk=review.pk).status == Review.Status.APPEALED
    hr_page = as_user(co, "hr").get(f"/hr/reviews/{review.pk}/").content.decode()
    assert f"第 2 周 · {case.key} · 样本得分 60" in hr_page
