"""Appeals on a row in the browser: an employee opens an item's rows from their published review and
appeals one row (这天我休假 / 这行不该算); HR leaves the row out on the review's page; the GM approves the
amended result; the employee sees the new result and what changed. The rows page with its appeal form
and the review page with its versions fit 390×844 and 1366×900."""

from __future__ import annotations

import re
from typing import Any

from browser_support import Demo, Visitor
from page_checks import VIEWPORTS, demo_data, problems
from playwright.sync_api import expect
from test_browser_month import gm_approves


def fits(person: Visitor, demo: Demo, step: str) -> list[str]:
    found = []
    for size, (width, height) in VIEWPORTS.items():
        person.page.set_viewport_size({"width": width, "height": height})
        person.shot(f"{step}-{size}")
        found += [
            f"{step} {width}×{height}: {p}"
            for p in problems(person.page, "zh", demo_data(demo.home), step=False)
        ]
    person.page.set_viewport_size({"width": 1280, "height": 900})
    return found


def test_an_employee_appeals_a_row_and_sees_the_new_result(demo: Demo, visitor: Any) -> None:
    published = demo.api.reviews(period=demo.period, status="published")
    assert published, f"the demo's {demo.period} has no published review"
    # an 运营专员's review: their shops' reports give rows to appeal (an item read from entered figures has none)
    operators = [
        r for r in published if demo.api.review(r["id"])["template"]["id"] == "s001-operations"
    ] or published
    review = demo.api.review(operators[0]["id"])
    pk, code = review["id"], review["employee"]

    employee = visitor(code)
    employee.goto(f"/reviews/{pk}/", "published")
    links = employee.page.locator(f"a[href^='/reviews/{pk}/rows/']")
    assert links.count(), "the published review links no item to its rows"
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    choice = employee.page.locator("select[name^='claim-']").first
    for href in hrefs:  # the first item whose rows page lists a row of theirs
        employee.goto(str(href), "rows")
        expect(employee.page.get_by_role("heading", level=1)).to_contain_text("数据明细")
        if choice.count():
            break
    expect(choice).to_be_visible()
    problems_found = fits(employee, demo, "rows-with-appeal")
    choice.select_option(label="这天我休假 / 这行不该算")
    employee.page.get_by_label("说明（必填）").fill("这天我休假，店铺由同事代班。")
    employee.submit(employee.page.get_by_role("button", name="提出申诉"), "row-appealed")
    assert "申诉已提交" in employee.message(), employee.message()
    assert demo.api.review(pk)["status"] == "appealed"

    hr = visitor("hr")
    hr.goto(f"/hr/reviews/{pk}/", "hr-review")
    form = hr.page.locator("form", has=hr.page.get_by_role("button", name="提交处理结果"))
    expect(form.get_by_text("这天我休假 / 这行不该算")).to_be_visible()
    form.get_by_label("决定").select_option(label="不计入")
    form.get_by_label("理由（不填则用处理意见）").fill("考勤记录显示当天休假")
    form.get_by_role("radio", name=re.compile("^修正")).check()
    form.get_by_label("处理意见（必填）").fill("核实属实，该行不计入，结果重算。")
    hr.submit(form.get_by_role("button", name="提交处理结果"), "hr-decided")
    assert "申诉已处理" in hr.message(), hr.message()
    assert demo.api.review(pk)["status"] == "pending_gm"

    gm_approves(visitor("gm"), pk, code)

    employee.goto(f"/reviews/{pk}/", "new-result")
    versions = employee.page.locator("section", has=employee.page.get_by_role("heading", name="结果版本"))
    expect(versions).to_be_visible()
    expect(versions.locator("li").first).to_contain_text("→")
    expect(employee.page.get_by_text("不计入（考勤记录显示当天休假）")).to_be_visible()
    problems_found += fits(employee, demo, "new-result")
    assert not problems_found, "\n".join(problems_found)
    employee.assert_clean("after the row appeal")
