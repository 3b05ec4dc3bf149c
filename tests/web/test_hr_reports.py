"""The HR console's reports: overdue per step, the department summary (汇总表) and the pay sheet, with
their Excel exports (policy-checked and written to the audit log)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from test_hr_company import PERIOD, S, advance, build_company, client_for, open_month

from shopkpi.appraisal.models import AuditEntry, Cycle
from shopkpi.appraisal.reviews.workflow import perform

pytestmark = pytest.mark.django_db
CODES = ("G01", "G02", "H01", "H02", "M01", "E01", "E02", "P01")


@pytest.fixture
def company(monkeypatch, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.HOME = tmp_path / "home"
    company = build_company(monkeypatch)
    company.shop.gmv["E01"] = Decimal(100000)  # E01 meets the target
    open_month(company)
    return company


def _everyone_at_hr(company) -> None:  # type: ignore[no-untyped-def]
    for code in CODES:
        rating = {"E01": "优", "P01": "差"}.get(code, "良")
        advance(company, code, S.PENDING_HR, rating=rating)
    perform(company.user("hr"), company.review("E02"), "adjust_pay", amount="200", reason="大促加班")


def test_overdue_per_step(company) -> None:  # type: ignore[no-untyped-def]
    advance(company, "E01", S.PENDING_SUPERVISOR)
    advance(company, "E02", S.PENDING_HR)
    Cycle.objects.filter(period=PERIOD).update(
        self_due=dt.date(2026, 10, 8), supervisor_due=dt.date(2020, 1, 1), hr_due=dt.date(2099, 1, 1)
    )
    page = client_for(company, "hr").get(f"/hr/cycles/{PERIOD}/overdue/").content.decode()
    # the supervisor step's deadline has passed; HR's has not
    assert "待上级评分 · 截止 2020-01-01 · 1" in page
    assert "待人事核准 · 截止 2099-01-01 · 0" in page
    assert f'href="/hr/reviews/{company.review("E01").pk}/"' in page


def test_the_department_summary_by_hand(company) -> None:  # type: ignore[no-untyped-def]
    _everyone_at_hr(company)
    page = client_for(company, "hr").get(f"/hr/cycles/{PERIOD}/summary/").content.decode()
    # grades, best first: 优秀 (E01: 100% → 60 + 优 40 = 100), then 合格
    assert '<th scope="col" class="num">优秀</th><th scope="col" class="num">合格</th>' in page
    # 运营部: M01 80, E01 100, E02 80 → 260 / 3 = 86.67; pay 800 + 600 + 400 = 1800, +200 adjustment
    assert (
        '<th scope="row">运营部</th><td class="num">3</td><td class="num">3</td><td class="num">86.67</td>'
        '<td class="num">1</td><td class="num">2</td><td class="num">¥1,800.00</td><td class="num">¥200.00</td>'
        '<td class="num">¥2,000.00</td>'
    ) in page
    # 客服部: P01 60% × 80 … 48 + 差 40 × 40% = 16 → 64; pay 4000 × 10% × 64% = 256
    assert (
        '<th scope="row">客服部</th><td class="num">1</td><td class="num">1</td><td class="num">64.00</td>'
        in page
    )
    # all: (80 × 6 + 100 + 64) / 8 = 644 / 8 = 80.50; pay 1600 + 1200 + 640 + 400 + 800 + 600 + 400 + 256 = 5896
    assert (
        '<th scope="row">合计</th><td class="num">8</td><td class="num">8</td><td class="num">80.50</td>'
        '<td class="num">1</td><td class="num">7</td><td class="num">¥5,896.00</td><td class="num">¥200.00</td>'
        '<td class="num">¥6,096.00</td>'
    ) in page


def test_the_summary_export_is_audited_and_matches_the_page(company) -> None:  # type: ignore[no-untyped-def]
    _everyone_at_hr(company)
    answer = client_for(company, "hr").post(f"/hr/cycles/{PERIOD}/summary.xlsx")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(answer.content))
    sheet = book[f"汇总表 {PERIOD}"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "部门",
        "人数",
        "已出分",
        "平均分",
        "优秀",
        "合格",
        "绩效工资合计",
        "整月工资合计（考核表按整月工资计算，不计入绩效工资）",
        "奖惩合计",
        "应发合计（绩效工资＋整月工资＋奖惩）",
    ]
    assert rows[-1] == ["合计", 8, 8, 80.5, 1, 7, 5896, 0, 200, 6096]
    detail = book[f"明细 {PERIOD}"]
    assert detail.max_row == 9  # a heading and 8 reviews
    entry = AuditEntry.objects.get(action="summary.export")
    assert entry.actor == "hr" and entry.object_id == PERIOD and entry.after["reviews"] == 8


def test_the_pay_sheet_lists_approved_reviews_and_its_export_is_audited(company) -> None:  # type: ignore[no-untyped-def]
    advance(company, "E01", S.PUBLISHED, rating="优")
    advance(company, "E02", S.PENDING_HR)
    hr = client_for(company, "hr")
    page = hr.get(f"/hr/cycles/{PERIOD}/paysheet/").content.decode()
    assert "另有 7 份考核尚未批准" in page
    # E01: base wage 6000 (the template reads base_salary); no pay.base; 6000 × 10% × 100% = 600 performance pay,
    # no whole wage; no adjustments; total 600 + 0 = 600
    assert (
        '<td class="num">¥6,000.00</td><td class="num">—</td><td class="num">¥600.00</td><td class="num">—</td>\n'
        '        <td class="num">¥0.00</td><td class="num">¥600.00</td>'
    ) in page
    assert "基本工资（员工档案，另行发放，不计入合计）" in page and "合计（绩效工资或整月工资＋奖惩）" in page
    answer = hr.post(f"/hr/cycles/{PERIOD}/paysheet.xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet["A2"].value == "7 份尚未批准，未列入"
    assert [c.value for c in sheet[4]][:12] == [
        *("E01", "赵一", "运营部", "运营专员", 100, "优秀"),
        *(6000, None, 600, None, 0, 600),
    ]
    entry = AuditEntry.objects.get(action="paysheet.export")
    assert entry.actor == "hr" and entry.after == {"rows": 1, "format": "xlsx"}


def test_exports_refuse_everyone_else_and_log_nothing(company) -> None:  # type: ignore[no-untyped-def]
    before = AuditEntry.objects.count()
    for who in ("e01", "m01"):
        client = client_for(company, who)
        assert client.post(f"/hr/cycles/{PERIOD}/summary.xlsx").status_code == 403
        assert client.post(f"/hr/cycles/{PERIOD}/paysheet.xlsx").status_code == 403
    assert (
        client_for(company, "hr").get(f"/hr/cycles/{PERIOD}/summary.xlsx").status_code == 405
    )  # a POST only
    assert AuditEntry.objects.count() == before
