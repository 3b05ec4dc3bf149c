"""The pay sheet: engine pay plus HR's adjustments, and its Excel export."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from appraisal.workflow_company import Company, advance, build_company, open_month, use_template, with_pay
from shopkpi.appraisal.models import AuditEntry, Cycle, Review
from shopkpi.appraisal.pay import paysheet
from shopkpi.appraisal.periods import cycles
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews.workflow import perform

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
    everything = list(sheet.iter_rows(values_only=True))
    # the title, then what is left out: the fixture approves E01 and E02, 6 of the 8 reviews wait
    assert everything[0][0] == "2026年9月绩效工资表"
    assert everything[1][0] == "6 份尚未批准，未列入"
    rows = everything[2:]
    assert rows[0] == (
        "工号",
        "姓名",
        "部门",
        "岗位",
        "考核得分",
        "等级",
        "基本工资（员工档案，另行发放，不计入合计）",
        "绩效工资基数（考核表的绩效工资标准）",
        "绩效工资（按考核结果计算，在基本工资之外发放）",
        "整月工资（考核表按整月工资计算，已含底薪）",
        "奖惩（人事调整，扣款为负）",
        "合计（绩效工资或整月工资＋奖惩）",
        "奖惩原因",
        "状态",
    )
    assert rows[1][:6] == ("E01", "赵一", "运营部", "运营专员", 80, "合格")
    # 基本工资 6000 (the template reads base_salary), no pay.base, 绩效工资 480, no 整月工资, 奖惩 −49.50, 合计 430.50
    assert rows[1][6:12] == (6000, None, 480, None, -49.5, 430.5)
    # a text starting with a sign is quoted, as every exported text that a spreadsheet could run
    assert rows[1][12] == "'-100.00 迟到两次；+50.50 全勤奖"
    assert rows[2][6:12] == (5000, None, 400, None, 0, 400)
    assert (rows[1][13], rows[2][13]) == ("已发布", "已签字确认")
    # 合计: 绩效工资 480 + 400 = 880, 奖惩 −49.50 + 0, 合计 430.50 + 400 = 830.50
    assert rows[3][:2] == ("合计", "2 人") and rows[3][8:12] == (880, 0, -49.5, 830.5)
    assert rows[4] == (None,) * 14
    assert [v for v in rows[5] if v] == [
        "制表：",
        "＿＿＿＿＿＿＿＿",
        "审核：",
        "＿＿＿＿＿＿＿＿",
        "批准：",
        "＿＿＿＿＿＿＿＿",
        "日期：",
        "＿＿＿＿＿＿＿＿",
    ]
    assert len(rows) == 6
    assert all(isinstance(value, (int, float)) for value in rows[1][6:12] if value is not None)
    assert {sheet.cell(row=4, column=c).number_format for c in range(7, 13)} == {"#,##0.00"}
    assert sheet.cell(row=6, column=12).number_format == "#,##0.00"
    assert (sheet.page_setup.orientation, int(sheet.page_setup.paperSize)) == (
        "landscape",
        int(sheet.PAPERSIZE_A4),
    )
    assert sheet.print_title_rows == "$3:$3"  # the column headers on every printed page
    path = tmp_path / "pay.xlsx"
    paysheet.to_xlsx(Cycle.objects.get(), path)
    assert load_workbook(path).active.cell(row=5, column=1).value == "E02"


def test_exporting_for_a_user_is_checked_and_audited(co: Company) -> None:
    with pytest.raises(ActionRefused, match="人事"):
        paysheet.to_xlsx(Cycle.objects.get(), io.BytesIO(), user=co.user("m01"))
    paysheet.to_xlsx(Cycle.objects.get(), io.BytesIO(), user=co.user("hr"))
    entry = AuditEntry.objects.filter(action="paysheet.export").get()
    assert (entry.actor, entry.object_id, entry.after["rows"]) == ("hr", "2026-09", 2)


def test_each_kind_of_pay_has_its_own_column(monkeypatch: pytest.MonkeyPatch) -> None:
    """Performance pay with its base (E01), a position without pay (E02), a whole wage by design (P01)."""
    company = build_company(monkeypatch)
    cycles.new_template_version(
        company.user("hr"),
        "t-sales",
        with_pay("pay:\n  amount: base_salary * 10% * score / 100\n  base: base_salary * 10%\n"),
    )
    use_template(company, "E02", "t-nopay", "")
    use_template(company, "P01", "t-wage", "pay:\n  amount: 3000 * score / 100\n  kind: wage\n")
    hr = company.user("hr")
    open_month(company)
    for code in ("E01", "E02", "P01"):
        advance(company, code, S.PUBLISHED)
    perform(hr, company.review("E02"), "adjust_pay", amount="100", reason="全勤奖")

    e01, e02, p01 = paysheet.rows(Cycle.objects.get())
    # every score 80: 95000 / 100000 -> [80%, 100%) -> 80 -> 48; 良 -> 32; 48 + 32 = 80
    # E01: 基本工资 6000, 绩效工资基数 6000 × 10% = 600, 绩效工资 600 × 80 / 100 = 480
    assert (e01.pay_kind, e01.base_salary, e01.pay_base, e01.performance_pay, e01.wage, e01.total) == (
        "performance",
        Decimal("6000.00"),
        Decimal("600.00"),
        Decimal("480.00"),
        None,
        Decimal("480.00"),
    )
    # E02: no pay in the template (nor base_salary): no amounts but the adjustment, 合计 0 + 100 = 100
    assert (e02.pay_kind, e02.base_salary, e02.performance_pay, e02.wage, e02.total) == (
        None,
        None,
        None,
        None,
        Decimal("100.00"),
    )
    # P01: a whole wage, 3000 × 80 / 100 = 2400, in the 整月工资 column; the template does not read base_salary
    assert (p01.pay_kind, p01.base_salary, p01.performance_pay, p01.wage, p01.total) == (
        "wage",
        None,
        None,
        Decimal("2400.00"),
        Decimal("2400.00"),
    )
    stream = io.BytesIO()
    paysheet.to_xlsx(Cycle.objects.get(), stream)
    sheet = load_workbook(io.BytesIO(stream.getvalue())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=paysheet.HEADER_ROW + 1, values_only=True))
    assert rows[0][6:12] == (6000, 600, 480, None, 0, 480)
    assert rows[1][6:12] == (None, None, "本岗位不计绩效工资", None, 100, 100)
    assert rows[2][6:12] == (None, None, None, 2400, 0, 2400)
