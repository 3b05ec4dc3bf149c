"""The HR page of what to prepare for an open month, and its workbook."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from test_hr_company import PERIOD, build_company, client_for, open_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(monkeypatch, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.HOME = tmp_path / "home"
    company = build_company(monkeypatch)
    open_month(company)  # every review has its 目标销售额 (100000) from the month's targets
    return company


def test_hr_sees_what_is_in_and_what_to_fill_in(company) -> None:  # type: ignore[no-untyped-def]
    assert client_for(company, "e01").get(f"/hr/cycles/{PERIOD}/prepare/").status_code == 403
    page = client_for(company, "hr").get(f"/hr/cycles/{PERIOD}/prepare/").content.decode()
    # 8 people: each template (t-sales) needs 目标销售额 (gmv is a metric) and the supervisor's 工作态度
    assert "共 16 项，已有 8 项" in page
    assert "<td>E01</td><td>赵一</td><td>运营专员</td>" in page
    row = page[page.index("<td>E01</td>") :]
    row = row[: row.index("</tr>")]
    assert row.count("1 / 1") == 1 and "0 / 1" in row and "<td>工作态度</td>" in row


def test_the_workbook_downloads_with_what_is_in(company) -> None:  # type: ignore[no-untyped-def]
    answer = client_for(company, "hr").post(f"/hr/cycles/{PERIOD}/prepare.xlsx")
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"]
    book = load_workbook(BytesIO(answer.content))
    assert book.sheetnames == ["目标", "手工录入", "评分", "说明"]
    targets = list(book["目标"].iter_rows(values_only=True))
    assert ("E01", "赵一", "运营专员", PERIOD, "目标销售额", "100000", "销售完成率") in targets
    ratings = list(book["评分"].iter_rows(values_only=True))
    assert ("E01", "赵一", "运营专员", PERIOD, "工作态度", None, "上级", "优=100、良=80、差=40") in ratings
    assert list(book["手工录入"].iter_rows(values_only=True))[1:] == []
