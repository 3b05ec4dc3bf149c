"""A month of the demo company in the browser, each role in turn on the month in progress: the employee
self-reviews, the supervisor rates (in place on the team board) and records the interview, HR submits
(overriding a missing value with a reason when the review is incomplete), the GM approves, the
employee signs; another employee appeals an item and HR sees the appeal."""

from __future__ import annotations

import re
from typing import Any

from browser_support import HR_CODE, Demo, Visitor, missing_variables, unrated_only, variable_label
from playwright.sync_api import Locator, expect


def fill_ratings(form: Locator, number: str) -> int:
    """Rate every rated item of the form: the first level of a select, else `number`."""
    fields = form.locator(".rating-field")
    for i in range(fields.count()):
        field = fields.nth(i)
        select = field.locator("select")
        if select.count():
            select.select_option(index=1)
        else:
            field.locator("input").fill(number)
    return fields.count()


def hr_submits(hr: Visitor, review_id: int, detail: dict[str, Any]) -> None:
    """HR on the review's page: a value the exports lack is supplied with a reason, then 核准并提交总经理."""
    hr.goto(f"/hr/reviews/{review_id}/", "hr-review")
    lacking = missing_variables(detail)
    assert lacking is not None, (
        f"review {review_id} lacks something an override cannot supply: {detail['missing']}"
    )
    if lacking:
        expect(hr.page.get_by_text("缺少数据的项目")).to_be_visible()
    for name in lacking:
        form = hr.page.locator("form", has=hr.page.get_by_role("button", name="保存修正"))
        form.get_by_label("名称").select_option(name)
        form.get_by_label("修正值").fill("1")
        # what HR writes names the value as the pages do (no variable code in the page's text)
        form.get_by_label("修正原因（必填）").fill(
            f"平台报表缺少{variable_label(name)}，按人事核实的数据补录。"
        )
        hr.submit(form.get_by_role("button", name="保存修正"), f"override-{name}")
        assert "修正已保存" in hr.message(), hr.message()
    if lacking:
        overrides = hr.page.locator("table", has=hr.page.get_by_role("columnheader", name="修正值"))
        for name in lacking:
            expect(overrides).to_contain_text(variable_label(name))
        expect(overrides).to_contain_text("按人事核实的数据补录")
        expect(hr.page.get_by_text("缺少数据的项目")).to_have_count(0)
    # the button and the message name the next step: 总经理 by default, a step of the company's chain else
    hr.submit(hr.page.get_by_role("button", name=re.compile(r"^核准并提交")), "hr-submitted")
    assert re.match(r"已核准，提交(总经理批准|：)", hr.message()), hr.message()


def gm_approves(gm: Visitor, review_id: int, code: str) -> None:
    gm.goto("/gm/", "approvals")
    row = gm.page.locator("tr", has=gm.page.get_by_role("link", name=code, exact=True))
    expect(row).to_have_count(1)
    # the row's button is named after the person (批准 赵一), so each row's is told apart
    gm.submit(row.get_by_role("button", name=re.compile(r"^批准 ")), "approved")
    assert "批准" in gm.message(), gm.message()
    expect(gm.page.get_by_role("link", name=code, exact=True)).to_have_count(0)


def pick_for_the_whole_month(demo: Demo) -> dict[str, Any]:
    """A review still with its employee, evaluated by a supervisor (not HR), preferably one that is
    complete once rated; any other goes through HR's overrides."""
    waiting = [
        r
        for r in demo.api.reviews(period=demo.period, status="pending_self")
        if r["evaluator"] not in (None, HR_CODE)
    ]
    assert waiting, f"the demo's {demo.period} has no review waiting for its employee"
    details = [demo.api.review(r["id"]) for r in waiting]
    return next((d for d in details if unrated_only(d)), details[0])


def self_review(employee: Visitor, review_id: int, period: str) -> None:
    """The employee: the scorecard with its live values, the self-review submitted."""
    employee.goto(f"/reviews/{review_id}/", "scorecard")
    expect(employee.page.locator("h1")).to_contain_text(f"{period} 月度考核")
    expect(employee.page.get_by_role("heading", name="考核指标")).to_be_visible()
    form = employee.page.locator("form", has=employee.page.get_by_role("heading", name="自评", exact=True))
    fill_ratings(form, "90")
    form.get_by_label("自我评价").fill("本月咨询转化率和回复率达标，售后跟进及时；下月继续提升客单价。")
    employee.submit(form.get_by_role("button", name="保存并提交自评"), "self-submitted")
    assert "自评已提交" in employee.message(), employee.message()
    expect(employee.page.locator(".status")).to_contain_text("上级")


def supervisor_rates(supervisor: Visitor, review_id: int, period: str, code: str) -> None:
    """The supervisor rates in place on the team board (HTMX), then records the interview and submits."""
    supervisor.goto(f"/team/?period={period}", "team-board")
    row = supervisor.page.locator("tr", has=supervisor.page.get_by_role("cell", name=code, exact=True))
    expect(row).to_have_count(1)
    panel_row = row.locator("xpath=following-sibling::tr[1]")
    panel_row.locator("summary").click()
    rate = panel_row.locator("form", has=supervisor.page.get_by_role("heading", name="上级评分"))
    expect(rate).to_be_visible()
    fill_ratings(rate, "85")
    rate.get_by_label("上级评语").fill("服务态度好，响应及时；转化率仍可提升。")
    rate.get_by_role("button", name="保存评分").click()
    expect(panel_row.get_by_role("status")).to_contain_text("评分已保存")
    supervisor.shot("rated-on-board")

    supervisor.goto(f"/reviews/{review_id}/", "review-rated")
    interview = supervisor.page.locator("form", has=supervisor.page.get_by_role("heading", name="面谈表"))
    interview.get_by_label("面谈日期").fill(f"{period}-28")
    interview.get_by_label("优点", exact=True).fill("响应快，客户评价好")
    interview.get_by_label("待改进").fill("售后跟进需更主动")
    interview.get_by_label("改进计划").fill("建立售后回访清单，每周复盘一次")
    interview.get_by_label("员工意见").fill("认可，会按计划改进。")
    supervisor.submit(interview.get_by_role("button", name="保存面谈记录"), "interview-recorded")
    assert "面谈记录已保存" in supervisor.message(), supervisor.message()
    supervisor.submit(supervisor.page.get_by_role("button", name="提交人事核准"), "submitted-to-hr")
    assert "已提交人事核准" in supervisor.message(), supervisor.message()


def employee_signs(employee: Visitor, review_id: int, pay: str = "绩效工资") -> None:
    """The employee sees the published result with the supervisor's part and the pay (under the
    heading `pay`: 绩效工资, or 整月工资 for a template that pays the whole month) and signs."""
    employee.goto(f"/reviews/{review_id}/", "published")
    expect(employee.page.get_by_text("上级评分合计")).to_be_visible()
    expect(employee.page.get_by_role("heading", name=pay)).to_be_visible()
    sign = employee.page.locator("form", has=employee.page.get_by_role("heading", name="本人签字确认"))
    employee.submit(sign.get_by_role("button", name="本人签字确认"), "acknowledged")
    assert "已签字确认" in employee.message(), employee.message()
    expect(employee.page.locator(".status")).to_contain_text("确认")


def test_a_month_through_every_role(demo: Demo, visitor: Any) -> None:
    review = pick_for_the_whole_month(demo)
    pk, code, evaluator = review["id"], review["employee"], review["evaluator"]
    page_url = f"/reviews/{pk}/"

    employee = visitor(code)
    employee.shot("home")
    self_review(employee, pk, demo.period)
    supervisor_rates(visitor(evaluator), pk, demo.period, code)

    # HR: checks, supplies what the exports lack (with a reason), submits to the GM
    hr = visitor("hr")
    hr.goto(f"/hr/cycles/{demo.period}/reviews/?status=pending_hr", "hr-list")
    expect(hr.page.get_by_role("link", name=code, exact=True)).to_have_count(1)
    hr_submits(hr, pk, demo.api.review(pk))

    # the general manager approves it (it is published); the employee signs and prints the 考核表
    gm_approves(visitor("gm"), pk, code)
    employee_signs(employee, pk)
    assert demo.api.review(pk)["status"] == "acknowledged"

    employee.goto(f"/reviews/{pk}/print/", "print")
    for heading in ("考核指标", "本人签字", "直接上司签字", "总经理签字"):
        expect(employee.page.get_by_text(heading).first).to_be_visible()
    employee.goto(page_url, "scorecard-again")
    with employee.page.expect_download() as download:
        employee.page.get_by_role("link", name="下载考核表（Excel）").click()
    saved = download.value.path()
    assert saved is not None and saved.read_bytes()[:2] == b"PK", "the 考核表 is not an XLSX"
    employee.assert_clean("after the download")


def test_hr_supplies_missing_values_and_the_gm_approves_in_bulk(demo: Demo, visitor: Any) -> None:
    """An incomplete review at HR: every missing value overridden with a reason, then submitted; the GM
    approves it with the bulk form."""
    candidates = []
    for summary in demo.api.reviews(period=demo.period, status="pending_hr"):
        detail = demo.api.review(summary["id"])
        lacking = missing_variables(detail)
        if lacking:
            candidates.append((len(lacking), detail))
    assert candidates, f"the demo's {demo.period} has no incomplete review at HR"
    _n, detail = min(candidates, key=lambda c: c[0])
    pk, code = detail["id"], detail["employee"]

    hr = visitor("hr")
    hr_submits(hr, pk, detail)
    assert demo.api.review(pk)["missing"] == []

    gm = visitor("gm")
    gm.goto(f"/gm/reviews/{pk}/", "gm-review")
    expect(gm.page.get_by_role("heading", name="人事修正")).to_be_visible()
    gm.goto("/gm/", "approvals")
    gm.page.get_by_label(f"选择 {detail['employee_name']}").check()
    gm.page.locator(".bulk").get_by_label("批准说明（可选）").fill("同意")
    gm.submit(gm.page.get_by_role("button", name="批准所选"), "approved-in-bulk")
    expect(gm.page.get_by_role("link", name=code, exact=True)).to_have_count(0)
    assert demo.api.review(pk)["status"] == "published"


def test_an_employee_appeals_an_item(demo: Demo, visitor: Any) -> None:
    published = demo.api.reviews(period=demo.period, status="published")
    assert published, f"the demo's {demo.period} has no published review"
    review = demo.api.review(published[-1]["id"])
    pk, code = review["id"], review["employee"]
    item = review["items"][0]

    employee = visitor(code)
    employee.goto(f"/reviews/{pk}/", "published")
    employee.page.locator("details.appeal summary").click()
    form = employee.page.locator("form", has=employee.page.get_by_role("heading", name="对考核结果申诉"))
    form.get_by_label(item["name"], exact=True).fill("本月有两天店铺数据缺失，申请复核该项数据。")
    employee.shot("appeal-form")
    employee.submit(form.get_by_role("button", name="提交申诉"), "appealed")
    assert "申诉已提交" in employee.message(), employee.message()
    assert demo.api.review(pk)["status"] == "appealed"

    hr = visitor("hr")
    hr.goto(f"/hr/cycles/{demo.period}/appeals/", "appeals")
    expect(hr.page.get_by_text("申请复核该项数据").first).to_be_visible()
    expect(hr.page.get_by_text(review["employee_name"]).first).to_be_visible()
