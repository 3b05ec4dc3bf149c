"""客服班表 in the browser: HR follows the link from 数据导入, uploads a schedule with an unknown 工号 (refused
with its row and column, nothing kept), then a valid one (listed with who uploaded it), and removes it.
The page fits 390×844 and 1366×900."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from browser_support import Demo
from page_checks import VIEWPORTS, demo_data, problems
from playwright.sync_api import expect

HEADER = ["子账号", "班次", "开始", "结束", "星期", "日期", "工号"]


def _agent(home: Path) -> tuple[str, str]:
    """A customer-service account of the demo and the employee who owns it."""
    con = sqlite3.connect(home / "shopkpi.sqlite3")
    try:
        found = con.execute(
            "SELECT a.account, e.code FROM appraisal_account a JOIN appraisal_employee e ON e.id = a.employee_id "
            "WHERE a.kind = 'agent' AND e.left_on IS NULL ORDER BY e.code LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    assert found, "the demo has no customer-service account"
    return str(found[0]), str(found[1])


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_hr_uploads_a_shift_schedule(demo: Demo, visitor: Any, tmp_path: Path) -> None:
    account, code = _agent(demo.home)
    hr = visitor("hr")
    hr.goto("/hr/imports/", "imports")
    hr.page.get_by_role("link", name="客服班表").click()
    expect(hr.page.get_by_role("heading", level=1)).to_have_text("客服班表")
    (tmp_path / "bad").mkdir()
    bad = _xlsx(
        tmp_path / "bad" / "客服排班.xlsx",
        [
            HEADER,
            [account, "早班", "09:30", "16:30", "一,三,五", None, code],
            [account, "晚班", "16:30", "24:00", "一,三,五", None, "X9999"],
        ],
    )
    hr.page.get_by_label("班表文件").set_input_files(str(bad))
    hr.expect_status(400, "/hr/shifts/")
    hr.submit(hr.page.get_by_role("button", name="检查并保存"), "refused")
    alert = hr.page.get_by_role("alert")
    expect(alert).to_contain_text("未保存，什么都没有改变")
    expect(alert.locator("tbody tr")).to_have_count(1)
    expect(alert.locator("tbody tr td").nth(1)).to_have_text("3")
    expect(alert.locator("tbody tr td").nth(2)).to_have_text("工号")
    found: list[str] = []
    for size, (width, height) in VIEWPORTS.items():
        hr.page.set_viewport_size({"width": width, "height": height})
        hr.shot(f"refused-{size}")
        found += [
            f"refused {width}×{height}: {p}"
            for p in problems(hr.page, "zh", demo_data(demo.home), step=False)
        ]
    hr.page.set_viewport_size({"width": 1280, "height": 900})
    good = _xlsx(
        tmp_path / "客服排班.xlsx",
        [
            HEADER,
            [account, "早班", "09:30", "16:30", "一,三,五", None, code],
            [account, "晚班", "16:30", "24:00", "一,三,五", None, code],
        ],
    )
    hr.page.get_by_label("班表文件").set_input_files(str(good))
    hr.submit(hr.page.get_by_role("button", name="检查并保存"), "kept")
    assert "已保存班表 客服排班.xlsx" in hr.message(), hr.message()
    row = hr.page.locator("tbody tr", has_text="客服排班.xlsx")
    expect(row).to_contain_text("hr")
    row.locator("summary").click()  # the replace and remove forms, shown in the screenshots
    for size, (width, height) in VIEWPORTS.items():
        hr.page.set_viewport_size({"width": width, "height": height})
        hr.shot(f"kept-{size}")
        found += [
            f"kept {width}×{height}: {p}" for p in problems(hr.page, "zh", demo_data(demo.home), step=False)
        ]
    hr.page.set_viewport_size({"width": 1280, "height": 900})
    hr.submit(row.get_by_role("button", name="删除这个班表"), "removed")
    assert "已删除班表 客服排班.xlsx" in hr.message(), hr.message()
    expect(hr.page.get_by_text("还没有班表")).to_be_visible()
    assert not found, "\n".join(found)
    hr.assert_clean("after the shift schedules")
