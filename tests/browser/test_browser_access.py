"""What a person may not see does not exist for them in the browser (404), the console pages refuse
other roles (403), and the English switch works."""

from __future__ import annotations

from typing import Any

from browser_support import PASSWORD, Demo
from playwright.sync_api import expect


def test_a_foreign_review_answers_404(demo: Demo, visitor: Any) -> None:
    employees = demo.api.employees()
    reviews = demo.api.reviews(period=demo.period)
    # an employee who evaluates nobody, and a review from another department
    evaluators = {r["evaluator"] for r in reviews}
    own = next(
        r for r in reviews if r["employee"] not in evaluators and employees[r["employee"]]["supervisor"]
    )
    me = employees[own["employee"]]
    foreign = next(r for r in reviews if employees[r["employee"]]["department"] != me["department"])
    stranger = employees[foreign["employee"]]

    employee = visitor(me["id"])
    employee.goto(f"/reviews/{own['id']}/", "own-review")
    expect(employee.page.locator("h1")).to_contain_text(me["name"])
    for path, step in [
        (f"/reviews/{foreign['id']}/", "foreign-review"),
        (f"/reviews/{foreign['id']}/print/", "foreign-print"),
        (f"/reviews/{foreign['id']}/xlsx/", "foreign-xlsx"),
        (f"/hr/reviews/{foreign['id']}/", "foreign-hr-review"),
        (f"/gm/reviews/{foreign['id']}/", "foreign-gm-review"),
    ]:
        employee.goto(path, step, status=404)
        body = employee.page.locator("body").inner_text()
        assert stranger["name"] not in body and stranger["id"] not in body, f"{path} shows {stranger}"
    for path, step in [("/hr/", "hr-console"), ("/gm/", "gm-approvals")]:
        employee.goto(path, step, status=403)
    home = employee.goto("/", "home")
    assert home.status == 200
    assert stranger["name"] not in employee.page.locator("main").inner_text()


def test_the_english_switch(demo: Demo, visitor: Any) -> None:
    reviews = demo.api.reviews(period=demo.period, status="published")
    code, pk = reviews[0]["employee"], reviews[0]["id"]

    person = visitor()
    person.goto("/login/", "login-chinese")
    expect(person.page.locator("html")).to_have_attribute("lang", "zh-hans")
    with person.page.expect_navigation():
        person.page.get_by_label("语言").select_option("en")
    person.shot("login-english")
    expect(person.page.locator("html")).to_have_attribute("lang", "en")
    person.page.get_by_label("Username").fill(code)
    person.page.get_by_label("Password").fill(PASSWORD)
    with person.page.expect_navigation():
        person.page.get_by_role("button", name="Log in").click()
    person.username = code
    person.shot("home-english")
    nav = person.page.get_by_role("navigation").first
    expect(nav.get_by_role("link", name="Home")).to_be_visible()
    expect(nav.get_by_role("link", name="My appraisal")).to_be_visible()
    person.goto(f"/reviews/{pk}/", "review-english")
    expect(person.page.get_by_role("heading", name="KPI", exact=True)).to_be_visible()
    expect(person.page.get_by_role("button", name="Log out")).to_be_visible()
    assert "考核指标" not in person.page.locator("main").inner_text()

    with person.page.expect_navigation():
        person.page.get_by_label("Language").select_option("zh-hans")
    person.shot("review-chinese-again")
    expect(person.page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(person.page.get_by_role("heading", name="考核指标", exact=True)).to_be_visible()
