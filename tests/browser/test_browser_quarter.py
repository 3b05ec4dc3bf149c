"""A quarter in the browser (issue 16's "Done when"): the demo's July, August and September 2026 are
archived month by month; HR sets 运营部's approval chain on the 审批流程 page (主管评分 → 销售总(副)经理审核 by
a named person → 人事核准汇总 → 总经理批准) and opens 2026-Q3 on the new-period page; the quarter card
aggregates the three months (the numbers on the page are the hand arithmetic below, from the months'
published scores); one quarterly review goes through the four steps, the 销售总经理 step taken by that
named person, who sees no review that has not come to their step. The chain page and the reviewer's
review page are looked at in 390×844 and 1366×900.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from browser_support import Demo, Visitor
from playwright.sync_api import expect
from test_browser_month import fill_ratings, gm_approves, hr_submits

QUARTER = "2026-Q3"
MONTHS = ("2026-07", "2026-08", "2026-09")
DEPARTMENT = "运营部"
REVIEWER = "E0012"  # 雷峰婉 of 采购部, named as 运营部's 销售总(副)经理审核
STEP = "销售总(副)经理审核"
SIZES = {"phone": (390, 844), "desktop": (1366, 900)}


def fits(person: Visitor, step: str) -> None:
    """The page at both sizes: no wider than the screen (screenshotted)."""
    for size, (width, height) in SIZES.items():
        person.page.set_viewport_size({"width": width, "height": height})
        person.shot(f"{step}-{size}")
        assert person.page.evaluate("document.documentElement.scrollWidth") <= width, (step, size)
    person.page.set_viewport_size({"width": 1280, "height": 900})


def hr_sets_the_chain(hr: Visitor) -> None:
    hr.goto("/org/approval-chain/", "approval-chain")
    row = hr.page.locator("tr", has=hr.page.get_by_role("cell", name=DEPARTMENT, exact=True))
    with hr.page.expect_navigation():
        row.get_by_role("link", name="设置部门流程").click()
    steps = [
        (STEP, "person", REVIEWER, "2", "supervisor"),
        ("人事核准汇总", "hr", "", "", "previous"),
        ("总经理批准", "gm", "", "", "previous"),
    ]
    for n, (name, actor, person, days, returns_to) in enumerate(steps):
        step = hr.page.locator("fieldset", has=hr.page.get_by_text(f"第 {n + 1} 步", exact=True))
        step.get_by_label("步骤名称").fill(name)
        step.get_by_label("审批人").select_option(actor)
        step.get_by_label("指定人员").fill(person)  # a 工号, its name shown once saved
        step.get_by_label("期限（上一步截止后几天）").fill(days)
        step.get_by_label("退回到").select_option(returns_to)
    hr.submit(hr.page.get_by_role("button", name="保存流程"), "chain-saved")
    assert f"{DEPARTMENT} 的审批流程已保存" in hr.message(), hr.message()
    row = hr.page.locator("tr", has=hr.page.get_by_role("cell", name=DEPARTMENT, exact=True))
    expect(row).to_contain_text(f"{STEP} 雷峰婉 · 2 天 → 人事核准汇总 人事 → 总经理批准 总经理")
    fits(hr, "chain-page")


def hr_opens_the_quarter(hr: Visitor) -> None:
    hr.goto("/hr/cycles/new/", "open-form")
    hr.page.get_by_label("考核期间").fill(QUARTER)
    hr.page.get_by_label("考核期间").dispatch_event("change")
    expect(hr.page.get_by_text(re.compile(r"将开启 \d+ 份考核"))).to_be_visible()
    hr.submit(hr.page.get_by_role("button", name="开启考核期"), "quarter-opened")
    assert f"考核期 {QUARTER} 已开启" in hr.message(), hr.message()


def pick(demo: Demo) -> dict[str, Any]:
    """A quarterly review of 运营部, evaluated by a supervisor, whose employee has the three months."""
    staff = demo.api.employees()
    months = {m: {r["employee"]: r for r in demo.api.reviews(period=m)} for m in MONTHS}
    for review in demo.api.reviews(period=QUARTER):
        code = review["employee"]
        if (
            staff[code]["department"] == DEPARTMENT
            and review["evaluator"]
            and all(code in months[m] for m in MONTHS)
        ):
            return {**review, "months": [months[m][code] for m in MONTHS]}
    raise AssertionError(f"no review of {DEPARTMENT} in {QUARTER} with its three months")


def expected(months: list[dict[str, Any]]) -> dict[str, Decimal]:
    """The quarter card (quarter-card.yaml) by hand from the months' published scores and grades:
    月度加权得分 = 30% × July + 30% × August + 40% × September; 季度内月度考核 = 70 × 加权得分 / 100 (at
    most 70); 优秀月份加分 = 2 per 优秀 month, at most 6; 季度综合评价 rated 良 = 80 → 30 × 80 / 100 = 24;
    the score rounded half-up to one decimal, at most 106."""
    scores = [Decimal(m["score"]) for m in months]
    weighted = (scores[0] * 30 + scores[1] * 30 + scores[2] * 40) / 100
    monthly = min(Decimal(70) * weighted / 100, Decimal(70))
    bonus = min(Decimal(2) * sum(m["grade"] == "优秀" for m in months), Decimal(6))
    score = min(monthly + Decimal(24) + bonus, Decimal(106)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return {"weighted": weighted, "monthly": monthly, "bonus": bonus, "score": score}


def supervisor_submits(supervisor: Visitor, review_id: int) -> None:
    supervisor.goto(f"/reviews/{review_id}/", "quarter-to-rate")
    rate = supervisor.page.locator("form", has=supervisor.page.get_by_role("heading", name="上级评分"))
    rate.get_by_label(re.compile("^季度综合评价")).select_option("良")
    rate.get_by_label("上级评语").fill("本季度三个月均达标，活动执行到位。")
    rate.get_by_role("button", name="保存评分").click()  # saved in place (HTMX)
    expect(supervisor.page.get_by_role("status")).to_contain_text("评分已保存")
    supervisor.shot("quarter-rated")
    interview = supervisor.page.locator("form", has=supervisor.page.get_by_role("heading", name="面谈表"))
    interview.get_by_label("面谈日期").fill("2026-10-09")
    interview.get_by_label("优点", exact=True).fill("季度目标全部完成")
    interview.get_by_label("待改进").fill("跨部门沟通可加强")
    interview.get_by_label("改进计划").fill("每月与客服、推广对齐一次活动排期")
    supervisor.submit(interview.get_by_role("button", name="保存面谈记录"), "quarter-interview")
    supervisor.submit(supervisor.page.get_by_role("button", name=f"提交：{STEP}"), "quarter-submitted")
    assert f"已提交：{STEP}" in supervisor.message(), supervisor.message()


def the_reviewer_passes(reviewer: Visitor, review_id: int, other_id: int, elsewhere_id: int) -> None:
    """The named 销售总经理: the review on their to-do list with its deadline, their step on its page; a
    review of the same department not yet at their step, and another department's, do not exist for them."""
    reviewer.goto("/", "reviewer-home")
    expect(reviewer.page.get_by_role("link", name="去审核")).to_have_count(1)
    expect(reviewer.page.locator("main")).to_contain_text(f"· {QUARTER} · {DEPARTMENT}")
    reviewer.goto(f"/reviews/{review_id}/", "reviewer-review")
    expect(reviewer.page.get_by_role("heading", name=f"轮到您：{STEP}")).to_be_visible()
    fits(reviewer, "reviewer-review")
    reviewer.goto(f"/reviews/{other_id}/", "not-yet-their-step", status=404)
    reviewer.goto(f"/reviews/{elsewhere_id}/", "another-department", status=404)
    reviewer.goto(f"/reviews/{review_id}/", "reviewer-again")
    form = reviewer.page.locator("form", has=reviewer.page.get_by_role("heading", name=f"{STEP}：审核通过"))
    form.get_by_label("审核意见（可不填）").fill("销售数据与店铺报表一致，同意。")
    reviewer.submit(form.get_by_role("button", name="审核通过"), "reviewer-passed")
    assert "已提交：人事核准汇总" in reviewer.message(), reviewer.message()


def test_a_quarter_through_a_four_step_chain(quarter_demo: Demo, browse: Any) -> None:
    demo = quarter_demo
    assert demo.periods[:3] == MONTHS
    for month in MONTHS:  # archived month by month before the quarter opens
        assert {r["status"] for r in demo.api.reviews(period=month)} <= {"acknowledged", "published"}
    hr = browse(demo.base_url, "hr")
    hr_sets_the_chain(hr)
    hr_opens_the_quarter(hr)

    review = pick(demo)
    pk, code, evaluator = review["id"], review["employee"], review["evaluator"]
    by_hand = expected(review["months"])
    employee = browse(demo.base_url, code)
    self_review_quarter(employee, pk)
    main = employee.page.locator("main")
    expect(main).to_contain_text(f"月度加权得分 {by_hand['weighted']:.2f}")
    row = employee.page.locator("tr", has=employee.page.get_by_role("cell", name="季度内月度考核"))
    expect(row).to_contain_text(f"{by_hand['monthly'].quantize(Decimal('0.01'), ROUND_HALF_UP)}")
    bonus_row = employee.page.locator("tr", has=employee.page.get_by_role("cell", name="优秀月份加分"))
    expect(bonus_row).to_contain_text(f"{by_hand['bonus']:.2f}")

    supervisor_submits(browse(demo.base_url, evaluator), pk)
    staff = demo.api.employees()
    others = [r for r in demo.api.reviews(period=QUARTER) if r["id"] != pk]
    same = next(r for r in others if staff[r["employee"]]["department"] == DEPARTMENT)
    elsewhere = next(r for r in others if staff[r["employee"]]["department"] not in (DEPARTMENT, "采购部"))
    the_reviewer_passes(browse(demo.base_url, REVIEWER), pk, same["id"], elsewhere["id"])

    hr_submits(hr, pk, demo.api.review(pk))  # 人事核准汇总
    gm_approves(browse(demo.base_url, "gm"), pk, code)  # 总经理批准: the last step publishes
    published = demo.api.review(pk)
    assert published["status"] == "published"
    assert Decimal(published["score"]) == by_hand["score"]
    employee.goto(f"/reviews/{pk}/", "quarter-published")
    expect(employee.page.locator("main")).to_contain_text(f"{by_hand['score']}")
    steps = [t["action"] for t in published["transitions"]]
    assert steps[-3:] == ["pass_step", "submit_hr", "approve"], steps
    hr.goto("/hr/audit/", "audit")  # the log names the chain's steps
    expect(hr.page.locator("main")).to_contain_text(STEP)


def self_review_quarter(employee: Visitor, review_id: int) -> None:
    employee.goto(f"/reviews/{review_id}/", "quarter-scorecard")
    expect(employee.page.locator("h1")).to_contain_text(QUARTER)
    form = employee.page.locator("form", has=employee.page.get_by_role("heading", name="自评", exact=True))
    fill_ratings(form, "90")
    form.get_by_label("自我评价").fill("本季度三个月均完成目标，双十一筹备已启动。")
    employee.submit(form.get_by_role("button", name="保存并提交自评"), "quarter-self-submitted")
    assert "自评已提交" in employee.message(), employee.message()
