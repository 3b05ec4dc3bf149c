"""Every list of the HR console and the GM page exports to Excel (导出 Excel): the tests open the files
and check the title, what the list holds (its filter in words), the rows, totals, status and signature
lines, and the audit entry each export leaves.

The company is `three_kinds_of_pay` (tests/appraisal/workflow_company.py): E01 480.00 and E02 400.00
performance pay, P01 a 2400.00 wage (客服部), M01 no pay; 奖惩 E01 −100.00, P01 +50.00, M01 +30.00.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from test_hr_company import PERIOD, S, advance, build_company, client_for, open_month

from appraisal.workflow_company import three_kinds_of_pay
from shopkpi.appraisal.models import AuditEntry, Department

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def home(settings: Any, tmp_path: Any) -> None:
    settings.HOME = tmp_path / "home"


def _rows(answer: Any) -> list[tuple[Any, ...]]:
    assert answer.status_code == 200, answer.content[:500]
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    assert (sheet.page_setup.orientation, int(sheet.page_setup.paperSize)) == ("landscape", 9)  # A4
    assert sheet.print_title_rows == "$3:$3"  # the column headers on every printed page
    return list(sheet.iter_rows(values_only=True))


def test_the_gm_approvals_export_is_a_document_to_sign(monkeypatch: pytest.MonkeyPatch) -> None:
    company = three_kinds_of_pay(monkeypatch, to=S.PENDING_GM)
    gm = client_for(company, "gm")
    assert gm.get("/gm/approvals.xlsx").status_code == 405  # a POST only (a CSRF token, no link)
    page = gm.get("/gm/").content.decode()
    assert 'action="/gm/approvals.xlsx?state=pending_gm"' in page
    rows = _rows(gm.post("/gm/approvals.xlsx?state=pending_gm"))
    assert rows[0][0] == "总经理审批清单"
    assert rows[1][0].startswith(
        "考核期间：全部；部门：全部；状态：待总经理批准；工号或姓名：全部；共 4 条；导出：gm "
    )
    assert rows[2] == (
        *("期间", "工号", "姓名", "部门", "岗位", "状态", "得分", "等级"),
        *("绩效工资（元）", "整月工资（元，不计入绩效工资）", "奖惩（元）", "应发合计（元）"),
    )
    lines = {row[1]: row for row in rows[3:7]}
    assert lines["E01"][5:] == ("待总经理批准", 80, "合格", 480, None, -100, 380)  # 480 − 100
    assert lines["P01"][8:] == (None, 2400, 50, 2450)  # the wage in its own column
    assert lines["M01"][8:] == ("本岗位不计绩效工资", None, 30, 30)
    # 合计: 绩效工资 480 + 400 = 880 (the wage apart: 2400); 奖惩 −100 + 50 + 30 = −20; 应发 3260
    assert rows[7] == ("合计", "4 人", *[None] * 6, 880, 2400, -20, 3260)
    line = "＿＿＿＿＿＿＿＿"
    assert [v for v in rows[9] if v] == ["制表：", line, "审核：", line, "批准：", line, "日期：", line]
    entry = AuditEntry.objects.get(action="list.export")
    assert (entry.actor, entry.object_id, entry.after["rows"]) == ("gm", "approvals", 4)
    assert client_for(company, "hr").post("/gm/approvals.xlsx").status_code == 403


def test_the_review_list_exports_every_row_of_its_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    company = three_kinds_of_pay(monkeypatch)
    hr = client_for(company, "hr")
    ops = Department.objects.get(name="运营部").pk
    rows = _rows(hr.post(f"/hr/cycles/{PERIOD}/reviews.xlsx?department={ops}&status=published"))
    assert rows[0][0] == f"{PERIOD} 考核列表"
    assert rows[1][0].startswith("状态：已发布；部门：运营部；工号或姓名：全部；共 3 条")
    assert [row[0] for row in rows[3:6]] == ["E01", "E02", "M01"]
    assert rows[3][5:] == ("已发布", None, None, 80, "合格", 480, None, None)
    # 合计 of 运营部's published reviews: 绩效工资 480 + 400 = 880, no wage
    assert rows[6][:2] == ("合计", "3 人") and rows[6][10:12] == (880, 0)
    entry = AuditEntry.objects.get(action="list.export")
    assert entry.after["filters"] == {"department": str(ops), "status": "published"}


def test_overdue_action_items_and_the_audit_log_export(monkeypatch: pytest.MonkeyPatch) -> None:
    company = build_company(monkeypatch)
    open_month(company)
    advance(company, "E01", S.ACKNOWLEDGED)
    hr = client_for(company, "hr")
    overdue = _rows(hr.post(f"/hr/cycles/{PERIOD}/overdue.xlsx"))
    assert overdue[0][0] == f"{PERIOD} 逾期考核" and overdue[2][:3] == ("环节", "截止日期", "工号")
    actions = _rows(hr.post("/hr/actions.xlsx?status=all"))
    assert actions[0][0] == "行动项" and actions[1][0].startswith("状态：全部；共 ")
    audit = _rows(hr.post("/hr/audit.xlsx?actor=e01"))
    assert audit[0][0] == "审计日志" and audit[1][0].startswith("操作人：e01；共 ")
    # the employee's own steps: submitted the self-review and signed, each row its time as a date-time
    assert {row[3] for row in audit[3:]} >= {"提交自评", "本人签字确认"}
    assert all(row[2] == "e01" and row[1] is not None for row in audit[3:])
    assert AuditEntry.objects.filter(action="list.export").count() == 3


def test_the_problems_of_a_refused_import_export(monkeypatch: pytest.MonkeyPatch) -> None:
    company = build_company(monkeypatch)
    hr = client_for(company, "hr")
    bad = "shop,date,uv,gmv\nS1,2026-09-01,100,50000\nS1,2026-09-31,200,很多\n"
    upload = SimpleUploadedFile("生意参谋.csv", bad.encode("utf-8"))
    page = hr.post(
        "/hr/imports/", {"dataset": "shop_daily", "profile": "", "period": "2026-09", "file": upload}
    ).content.decode()
    found = re.search(r'action="/hr/imports/jobs/([0-9a-f]{16})/problems.xlsx"', page)
    assert found, page
    rows = _rows(hr.post(f"/hr/imports/jobs/{found.group(1)}/problems.xlsx"))
    assert rows[0][0] == "数据导入问题：生意参谋.csv"
    assert rows[2] == ("类别", "文件", "行", "列", "说明")
    assert ("错误", "生意参谋.csv", 3, "gmv", "不是数字：很多") in rows[3:]
    assert len(rows) == 5  # a title, the note, the headers and the two problems
