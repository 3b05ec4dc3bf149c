"""Every front adds pay by the one rule of `pay_totals`: 绩效工资 totals hold performance pay only, a
whole wage by a template's design (整月工资) is shown apart and labelled, a position without pay says
本岗位不计绩效工资; the API says what each review's pay is (`pay_kind`).

The company is `three_kinds_of_pay` (tests/appraisal/workflow_company.py): E01 480.00 and E02 400.00
performance pay, P01 a 2400.00 wage (客服部), M01 no pay; 奖惩 E01 −100.00, P01 +50.00, M01 +30.00.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from test_hr_company import PERIOD, S, client_for

from appraisal.workflow_company import three_kinds_of_pay
from shopkpi.appraisal.accounts import tokens
from shopkpi.appraisal.models import Review
from shopkpi.web.pages.insight import dashboard_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def home(settings: Any, tmp_path: Any) -> None:
    settings.HOME = tmp_path / "home"


def test_the_department_summary_keeps_wages_out_of_performance_pay(monkeypatch: pytest.MonkeyPatch) -> None:
    company = three_kinds_of_pay(monkeypatch)
    hr = client_for(company, "hr")
    page = hr.get(f"/hr/cycles/{PERIOD}/summary/").content.decode()
    assert "整月工资合计（不计入绩效工资）" in page
    # 运营部 (E01, E02, M01): 绩效工资 480 + 400 = 880, no wage, 奖惩 −100 + 30 = −70, 应发 880 − 70 = 810
    assert (
        '<td class="num">¥880.00</td><td class="num">¥0.00</td><td class="num">-¥70.00</td>'
        '<td class="num">¥810.00</td></tr>'
    ) in page
    # 客服部 (P01): no 绩效工资, the wage 2400 apart, 奖惩 +50, 应发 2450
    assert (
        '<td class="num">¥0.00</td><td class="num">¥2,400.00</td><td class="num">¥50.00</td>'
        '<td class="num">¥2,450.00</td></tr>'
    ) in page
    book = load_workbook(io.BytesIO(hr.post(f"/hr/cycles/{PERIOD}/summary.xlsx").content))
    rows = list(book[f"汇总表 {PERIOD}"].iter_rows(values_only=True))
    # 合计: 绩效工资 880, 整月工资 2400, 奖惩 −100 + 50 + 30 = −20, 应发 880 + 2400 − 20 = 3260
    assert rows[-1][-4:] == (880, 2400, -20, 3260)
    detail = {row[0]: row for row in book[f"明细 {PERIOD}"].iter_rows(values_only=True)}
    assert detail["工号"][-2:] == ("绩效工资", "整月工资")
    assert (detail["E01"][-2:], detail["P01"][-2:], detail["M01"][-2:]) == (
        (480, None),
        (None, 2400),
        ("本岗位不计绩效工资", None),
    )


def test_the_gm_sees_performance_pay_and_wages_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    company = three_kinds_of_pay(monkeypatch, to=S.PENDING_GM)
    page = client_for(company, "gm").get("/gm/").content.decode()
    # 绩效工资 480 + 400 = 880 (not 880 + 2400); 奖惩 −100 + 50 + 30 = −20; the wage 2400 apart
    assert (
        "符合筛选条件的考核共 4 份，绩效工资合计 ¥880.00，奖惩合计 -¥20.00，"
        "整月工资合计 ¥2,400.00（不计入绩效工资）。"
    ) in page
    assert "¥2,400.00（整月工资）" in page and "本岗位不计绩效工资" in page
    p01 = company.review("P01")
    # the confirmation of a ticked wage sums it apart: data-wage, not data-pay (which holds its 奖惩)
    assert f'value="{p01.pk}" form="bulk" id="pick-{p01.pk}" data-pay="50.00" data-wage="2400.00"' in page
    assert "整月工资合计 {wage}（不计入绩效工资）" in page
    # 应发 880 + 2400 − 20 = 3260 is what approving all confirms
    assert 'name="expected_pay" value="3260.00"' in page


def test_the_pay_cost_chart_counts_performance_pay_and_shows_wages_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    three_kinds_of_pay(monkeypatch)
    (month,) = dashboard_data.pay_and_margin(Review.objects.all())
    # approved: E01, E02, P01, M01; cost 880 + (−20) = 860, wages 2400 apart
    assert (month.approved, month.pay, month.wage) == (4, Decimal("860.00"), Decimal("2400.00"))


def test_the_api_says_what_each_pay_is(monkeypatch: pytest.MonkeyPatch) -> None:
    company = three_kinds_of_pay(monkeypatch)
    token, _record = tokens.issue(company.user("hr"))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    kinds = {}
    for code in ("E01", "P01", "M01"):
        body = client_for(company, "hr").get(f"/api/reviews/{company.review(code).pk}", **headers).json()
        kinds[code] = (body["pay"], body["pay_kind"])
    assert kinds == {"E01": ("480.00", "performance"), "P01": ("2400.00", "wage"), "M01": (None, None)}
    sheet = client_for(company, "hr").get(f"/api/cycles/{PERIOD}/paysheet", **headers).json()
    assert sheet["totals"] == {
        "performance": "880.00",
        "wage": "2400.00",
        "adjustments": "-20.00",
        "payable": "3260.00",
    }
