"""HR in the browser: opens the next cycle with a targets file, imports a platform export through the
upload page (and sees a faulty file's problems row by row), and walks the console's pages; the GM's
and an evaluator's overview pages. Every page is screenshotted and must keep the console quiet."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from browser_support import HR_CODE, Demo
from playwright.sync_api import expect


def month_after(period: str) -> str:
    year, month = (int(part) for part in period.split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}"


def test_hr_opens_the_next_cycle(demo: Demo, visitor: Any, tmp_path: Path) -> None:
    """The month after the one in progress, with the page's defaults (everyone it lists takes part) and a
    targets file."""
    period = month_after(demo.period)
    people = sorted(e for e in demo.api.employees() if e != HR_CODE)[:3]
    targets = tmp_path / f"考核目标_{period}.csv"
    targets.write_text(
        "工号,考核期间,目标名称,目标值\n"
        + "".join(f"{code},{period},计划销售额,{500000 + i}\n" for i, code in enumerate(people)),
        encoding="utf-8",
    )

    hr = visitor("hr")
    hr.goto("/hr/", "console")
    hr.page.get_by_role("navigation", name="人事控制台").get_by_role("link", name="开启考核期").click()
    hr.page.wait_for_url("**/hr/cycles/new/")
    hr.shot("open-form")
    expect(hr.page.get_by_label("考核期间")).to_have_value(period)  # the month after the newest cycle
    opening = hr.page.get_by_text(re.compile(r"将开启 \d+ 份考核")).inner_text()
    chosen = int(re.search(r"\d+", opening).group())  # type: ignore[union-attr]
    assert chosen >= 25, chosen
    hr.page.get_by_label("目标导入（可选）").set_input_files(str(targets))
    hr.submit(hr.page.get_by_role("button", name="开启考核期"), "cycle-opened")
    assert f"考核期 {period} 已开启" in hr.message(), hr.message()
    assert "目标已导入" in hr.message(), hr.message()
    assert hr.page.url.endswith(f"/hr/cycles/{period}/")
    expect(hr.page.locator("main")).to_contain_text("待自评")
    assert len(demo.api.reviews(period=period)) == chosen


def test_hr_imports_through_the_upload_page(demo: Demo, visitor: Any, tmp_path: Path) -> None:
    """A real platform export of the month in progress (the demo's 直通车 report, saved again as UTF-8 so
    it is a new file with the same rows) with its profile recognised and the batch it replaces; a faulty
    file refused with every problem at its row."""
    original = sorted((demo.home / "synth" / demo.period / "campaigns").glob("*.csv"))[0]
    export = tmp_path / original.name
    export.write_text(original.read_bytes().decode("gbk"), encoding="utf-8-sig")
    hr = visitor("hr")
    hr.goto("/hr/imports/", "imports")
    upload = hr.page.locator("form", has=hr.page.get_by_role("button", name="上传并导入"))
    upload.get_by_label("导出文件").set_input_files(str(export))
    upload.get_by_label("数据集").select_option("campaigns")
    hr.submit(upload.get_by_role("button", name="上传并导入"), "imported")
    result = hr.page.locator("#import-job")
    expect(result.get_by_role("status")).to_contain_text("导入完成")
    row = result.locator("tbody tr")
    expect(row).to_have_count(1)
    cells = row.locator("td")
    expect(cells.nth(0)).to_have_text(export.name)
    expect(cells.nth(1)).to_have_text("已导入")
    expect(cells.nth(2)).not_to_have_text("—")  # the recognised profile
    lines = original.read_bytes().decode("gbk").strip().splitlines()
    assert lines[-1].startswith("合计")  # the report's total line, skipped
    assert (int(cells.nth(4).inner_text()), int(cells.nth(5).inner_text())) == (len(lines) - 2, 1)
    expect(cells.nth(7)).to_contain_text("campaigns-")  # the batch of the same rows it replaces
    expect(hr.page.locator("table", has=hr.page.get_by_role("columnheader", name="导入人"))).to_contain_text(
        export.name
    )

    people = sorted(e for e in demo.api.employees() if e != HR_CODE)[:2]
    faulty = tmp_path / "目标_有误.csv"
    faulty.write_text(
        f"工号,考核期间,目标名称,目标值\n{people[0]},{demo.period},计划销售额,很多\n"
        f"{people[1]},{demo.period},计划销售额,\n",
        encoding="utf-8",
    )
    upload = hr.page.locator("form", has=hr.page.get_by_role("button", name="上传并导入"))
    upload.get_by_label("导出文件").set_input_files(str(faulty))
    upload.get_by_label("数据集").select_option("targets")
    upload.get_by_label("考核期间").fill(demo.period)
    hr.expect_status(422, "/hr/imports/")
    hr.submit(upload.get_by_role("button", name="上传并导入"), "refused")
    expect(hr.page.locator("#import-job").get_by_role("alert")).to_contain_text("未导入")
    problems = hr.page.locator("table.problems tbody tr")
    assert problems.count() >= 2, problems.count()
    expect(problems.first.locator("td.num")).to_have_text("2")  # the file's first data row


def test_hr_console_pages(demo: Demo, visitor: Any) -> None:
    """Every page of the HR console for the month in progress, and the archived month's."""
    hr = visitor("hr")
    expect(hr.page.locator("canvas, svg").first).to_be_visible()  # the dashboards on HR's home page
    hr.shot("home-dashboards")
    cycle = f"/hr/cycles/{demo.period}/"
    for path, step, text in [
        ("/hr/", "console", demo.period),
        (cycle, "cycle", "待自评"),
        (cycle + "reviews/", "reviews", "E0001"),
        (cycle + "overdue/", "overdue", demo.period),
        (cycle + "summary/", "summary", "合计"),
        (cycle + "paysheet/", "paysheet", "¥"),
        (cycle + "appeals/", "appeals", demo.period),
        (f"/hr/cycles/{demo.periods[0]}/", "archived-cycle", "已归档"),
        ("/hr/actions/", "action-items", "行动项"),
        ("/hr/audit/", "audit-log", "审计日志"),
        ("/hr/imports/", "imports", "导入批次"),
        ("/dashboards/", "dashboards", "分布"),
        ("/team/", "all-teams", "考评负责人"),
        ("/templates/", "templates", "考核表模板"),
    ]:
        hr.goto(path, step)
        expect(hr.page.locator("main")).to_contain_text(text)
        if step in ("summary", "paysheet"):  # the 汇总表 and the pay sheet as Excel for payroll
            with hr.page.expect_download() as download:
                hr.page.get_by_role("button", name="导出 Excel").click()
            saved = download.value.path()
            assert saved.read_bytes()[:2] == b"PK", f"the {step} export is not an XLSX"
        if step == "audit-log":  # the hash chain checked in place (HTMX)
            hr.page.get_by_role("button", name="校验链条").click()
            expect(hr.page.locator("#verify-result")).to_contain_text("链条完整")
            hr.shot("audit-verified")
    hr.page.get_by_role("link", name="编辑", exact=True).first.click()  # the form, item by item
    hr.page.wait_for_url("**/templates/*/form/")
    hr.shot("template-form")
    expect(hr.page.get_by_role("heading", level=1)).to_contain_text("编辑考核表")
    hr.page.get_by_role("link", name="YAML 视图（专家）").click()  # the YAML for experts, one link away
    hr.page.wait_for_url(re.compile(r"/templates/[^/]+/edit/(\?.*)?$"))
    hr.shot("template-editor")
    expect(hr.page.locator("textarea").first).to_be_visible()


def test_gm_and_supervisor_overview(demo: Demo, visitor: Any) -> None:
    gm = visitor("gm")
    gm.shot("home-dashboards")
    expect(gm.page.locator("main")).to_contain_text("分布")
    gm.goto("/gm/", "approvals")
    expect(gm.page.get_by_role("button", name="批准所选")).to_be_visible()
    # the page's own script (no inline handler under the Content-Security-Policy) ticks every review
    gm.page.locator("#select-all").check()
    boxes = gm.page.locator("input[name=reviews]")
    assert boxes.count() > 0 and all(box.is_checked() for box in boxes.all())
    gm.goto("/dashboards/", "dashboards")
    expect(gm.page.locator("[data-chart] canvas").first).to_be_visible()  # ECharts drew
    gm.goto("/team/", "all-teams")

    evaluators = {r["evaluator"] for r in demo.api.reviews(period=demo.period)} - {None, "HR01"}
    supervisor = visitor(sorted(evaluators)[0])
    supervisor.shot("home")
    supervisor.goto("/team/", "team-board")
    expect(supervisor.page.get_by_role("heading", name="我的团队")).to_be_visible()
    supervisor.goto("/dashboards/", "dashboards")
