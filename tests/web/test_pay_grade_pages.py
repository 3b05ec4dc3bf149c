"""Pay-grade pages: HR keeps the tables (a refused table is shown at its form), proposes the year's
adjustments and approves, the GM approves, the workbook downloads, and the employee sees their own."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from test_hr_company import Company, client_for

from appraisal.test_pay_grades import co as year_company  # noqa: F401  (the fixture: a year of results)
from shopkpi.appraisal.models import AuditEntry, EmployeePayGrade

pytestmark = pytest.mark.django_db


@pytest.fixture
def co(year_company: Company, settings: Any, tmp_path: Any) -> Company:  # noqa: F811
    settings.HOME = tmp_path
    return year_company


def _text(answer: Any) -> str:
    return str(answer.content.decode("utf-8"))


def test_hr_keeps_the_tables_and_a_refused_one_is_shown_at_its_form(co: Company) -> None:
    hr = client_for(co, "hr")
    page = _text(hr.get("/pay-grades/"))
    assert "¥3,800.00" in page and "优秀 +2 晋升" in page
    bad = hr.post("/pay-grades/save/rules/", {"text": "优秀 两级"})
    assert bad.status_code == 409 and "薪级调整应为整数" in _text(bad) and "优秀 两级" in _text(bad)
    assert hr.post("/pay-grades/save/employees/", {"text": "E02 二等 3"}).status_code == 302
    assert EmployeePayGrade.objects.get(employee__code="E02").step == 3
    assert client_for(co, "gm").get("/pay-grades/").status_code == 403


def test_the_year_is_proposed_approved_twice_exported_and_seen_by_the_employee(co: Company) -> None:
    hr, gm = client_for(co, "hr"), client_for(co, "gm")
    assert hr.post("/pay-grades/2026/propose/").status_code == 302
    page = _text(hr.get("/pay-grades/2026/"))
    assert "¥3,600.00 → ¥3,800.00" in page and "待人事审核" in page
    assert hr.post("/pay-grades/2026/approve/", {"reason": "按对照表"}).status_code == 302
    assert "待总经理批准" in _text(gm.get("/pay-grades/2026/"))
    assert gm.post("/pay-grades/2026/approve/").status_code == 302
    answer = gm.post("/pay-grades/2026/adjustments.xlsx")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None and sheet["A4"].value == "E01" and sheet["N4"].value == "已批准"
    assert AuditEntry.objects.filter(action="list.export", object_id="pay_adjustments").exists()
    mine = _text(client_for(co, "e02").get("/pay-grades/mine/"))
    assert "当前：二等 第 3 级" in mine and "¥4,300.00 → ¥4,600.00" in mine and "已批准" in mine
    assert client_for(co, "e02").get("/pay-grades/2026/").status_code == 403
