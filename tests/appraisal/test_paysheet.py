"""The pay sheet: engine pay plus HR's adjustments, and its Excel export."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from appraisal.workflow_company import Company, advance, build_company, open_month
from shopkpi.appraisal import paysheet
from shopkpi.appraisal.models import AuditEntry, Cycle, Review
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.workflow import perform

pytestmark = pytest.mark.django_db
S = Review.Status


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    company = build_company(monkeypatch)
    open_month(company)
    e01 = advance(company, "E01", S.PUBLISHED)
    hr = company.user("hr")
    e01 = perform(hr, e01, "adjust_pay", amount="-100", reason="迟到两次")
    perform(hr, e01, "adjust_pay", amount="50.5", reason="全勤奖")
    advance(company, "E02", S.ACKNOWLEDGED)
    advance(company, "M01", S.PENDING_GM)  # not approved: no pay line yet
    return company


def test_a_pay_line_is_the_engine_pay_plus_the_adjustments(co: Company) -> None:
    lines = paysheet.rows(Cycle.objects.get())
    assert [line.code for line in lines] == ["E01", "E02"]
    e01, e02 = lines
    # E01: 6000 × 10% × 80 / 100 = 480.00;  −100 + 50.50 = −49.50;  480.00 − 49.50 = 430.50
    assert (e01.score, e01.grade, e01.pay, e01.adjustments, e01.total) == (
        Decimal("80.0"),
        "合格",
        Decimal("480.00"),
        Decimal("-49.50"),
        Decimal("430.50"),
    )
    assert e01.reasons == "-100.00 迟到两次；+50.50 全勤奖"
    assert (e01.name, e01.department, e01.position) == ("赵一", "运营部", "运营专员")
    # E02: 5000 × 10% × 80 / 100 = 400.00, no adjustments
    assert (e02.pay, e02.adjustments, e02.total, e02.reasons) == (
        Decimal("400.00"),
        Decimal("0.00"),
        Decimal("400.00"),
        "",
    )


def test_the_excel_pay_sheet_has_the_payroll_columns_and_numbers_with_two_decimals(
    co: Company, tmp_path: Path
) -> None:
    stream = io.BytesIO()
    paysheet.to_xlsx(Cycle.objects.get(), stream)
    sheet = load_workbook(io.BytesIO(stream.getvalue())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "工号",
        "姓名",
        "部门",
        "岗位",
        "考核得分",
        "等级",
        "绩效工资",
        "奖惩调整",
        "应发绩效",
        "调整原因",
    )
    assert rows[1][:6] == ("E01", "赵一", "运营部", "运营专员", 80, "合格")
    assert rows[1][6:9] == (480, -49.5, 430.5)
    # a text starting with a sign is quoted, as every exported text that a spreadsheet could run
    assert rows[1][9] == "'-100.00 迟到两次；+50.50 全勤奖"
    assert rows[2][6:9] == (400, 0, 400)
    assert len(rows) == 3
    assert all(isinstance(value, (int, float)) for value in rows[1][4:9] if value != "合格")
    assert {sheet.cell(row=2, column=c).number_format for c in (7, 8, 9)} == {"0.00"}
    path = tmp_path / "pay.xlsx"
    paysheet.to_xlsx(Cycle.objects.get(), path)
    assert load_workbook(path).active.cell(row=3, column=1).value == "E02"


def test_exporting_for_a_user_is_checked_and_audited(co: Company) -> None:
    with pytest.raises(ActionRefused, match="人事"):
        paysheet.to_xlsx(Cycle.objects.get(), io.BytesIO(), user=co.user("m01"))
    paysheet.to_xlsx(Cycle.objects.get(), io.BytesIO(), user=co.user("hr"))
    entry = AuditEntry.objects.filter(action="paysheet.export").get()
    assert (entry.actor, entry.object_id, entry.after["rows"]) == ("hr", "2026-09", 2)
