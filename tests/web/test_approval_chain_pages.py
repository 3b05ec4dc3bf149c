"""审批流程 (/org/approval-chain/) for HR: a department's chain with a named 销售总经理 step set through the
form, every problem shown at once with nothing saved, nobody but HR and admin gets in; and the named
reviewer's step on the review page (审核通过, 退回 with a reason)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client

from appraisal.workflow_company import Company, advance, build_company, open_month
from shopkpi.appraisal.models import AuditEntry, Department, Employee, Review
from shopkpi.appraisal.organisation import approval_chain

pytestmark = pytest.mark.django_db
S = Review.Status
PAGE = "/org/approval-chain/"


@pytest.fixture
def company(monkeypatch: pytest.MonkeyPatch, settings: object, tmp_path: object) -> Company:
    settings.HOME = tmp_path  # type: ignore[attr-defined]
    co = build_company(monkeypatch)
    user = User.objects.create_user("s01", password="x")
    co.users["s01"] = user
    co.employees["S01"] = Employee.objects.create(
        code="S01",
        name="沈总",
        department=Department.objects.get(name="总经办"),
        position=co.employees["E01"].position,
        supervisor=co.employees["G01"],
        hired_on=dt.date(2024, 1, 1),
        user=user,
    )
    return co


def client_for(company: Company, username: str) -> Client:
    client = Client()
    client.force_login(company.user(username))
    return client


def _form(department: Department, *steps: tuple[str, str, str, str, str]) -> dict[str, str]:
    form = {"department": str(department.pk)}
    for n, (name, actor, person, days, returns_to) in enumerate(steps):
        form |= {
            f"step-{n}-name": name,
            f"step-{n}-actor": actor,
            f"step-{n}-person": person,
            f"step-{n}-due_days": days,
            f"step-{n}-returns_to": returns_to,
        }
    return form


def test_hr_sets_a_departments_chain_with_a_named_step(company: Company) -> None:
    hr = client_for(company, "hr")
    page = hr.get(PAGE).content.decode()
    assert "审批流程" in page and "人事核准" in page and "总经理批准" in page  # the default chain
    ops = Department.objects.get(name="运营部")
    answer = hr.post(
        PAGE,
        _form(
            ops,
            ("销售总(副)经理审核", "person", "S01", "2", "supervisor"),
            ("人事核准汇总", "hr", "", "", "previous"),
            ("总经理批准", "gm", "", "3", "previous"),
        ),
    )
    assert answer.status_code == 302
    assert [(s.name, s.person, s.due_days) for s in approval_chain.chain(ops)] == [
        ("销售总(副)经理审核", "S01", 2),
        ("人事核准汇总", "", None),
        ("总经理批准", "", 3),
    ]
    entry = AuditEntry.objects.get(action="approval_chain.replace")
    assert entry.object_id == "运营部" and entry.actor == "hr"
    shown = hr.get(PAGE, {"department": ops.pk}).content.decode()
    # the named person is their 工号 in a text field (not a list of everyone), their name beside it
    assert (
        "销售总(副)经理审核" in shown
        and 'value="S01"' in shown
        and '<small id="step-0-person-name">沈总</small>' in shown
    )
    # back to the company's chain
    hr.post(PAGE, {"department": str(ops.pk), "clear": "1"})
    assert approval_chain.chain(ops) == []


def test_a_refused_chain_shows_every_problem_and_saves_nothing(company: Company) -> None:
    hr = client_for(company, "hr")
    ops = Department.objects.get(name="运营部")
    answer = hr.post(
        PAGE, _form(ops, ("", "person", "", "", "previous"), ("终审", "gm", "", "99", "previous"))
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "第 1 步：请填写步骤名称。" in page
    assert "第 1 步：请选择指定的审批人（工号）。" in page
    assert "第 2 步：期限须是 0–60 的整数天" in page
    assert 'value="终审"' in page  # what HR typed is kept
    assert approval_chain.chain(ops) == []


@pytest.mark.parametrize("who", ["gm", "m01", "e01"])
def test_only_hr_and_admin_set_the_chain(company: Company, who: str) -> None:
    assert client_for(company, who).get(PAGE).status_code == 403


def test_the_named_reviewer_takes_their_step_on_the_review_page(company: Company) -> None:
    approval_chain.replace(
        "hr",
        Department.objects.get(name="运营部"),
        [{"name": "销售总(副)经理审核", "actor": "person", "person": "S01", "returns_to": "supervisor"}],
    )
    open_month(company)
    review = advance(company, "E01", S.PENDING_STEP)
    s01 = client_for(company, "s01")
    page = s01.get(f"/reviews/{review.pk}/").content.decode()
    assert "轮到您：销售总(副)经理审核" in page and "审核通过" in page
    home = s01.get("/").content.decode()
    assert "赵一" in home and "去审核" in home
    answer = s01.post(
        f"/reviews/{review.pk}/act/",
        {"action": "return_step", "expected_version": review.version, "reason": "请补充面谈记录"},
    )
    assert answer.status_code == 302
    review.refresh_from_db()
    assert review.status == S.PENDING_SUPERVISOR
    # the supervisor submits again: the button names the next step; then it passes and (the last step) publishes
    assert (
        "提交：销售总(副)经理审核"
        in client_for(company, "m01").get(f"/reviews/{review.pk}/").content.decode()
    )
    review = advance(company, "E01", S.PENDING_STEP)
    s01.post(
        f"/reviews/{review.pk}/act/",
        {"action": "pass_step", "expected_version": review.version, "reason": ""},
    )
    review.refresh_from_db()
    assert review.status == S.PUBLISHED


def _token(company: Company, username: str) -> dict[str, str]:
    from shopkpi.appraisal.accounts import tokens

    token, _ = tokens.issue(company.user(username))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_chain_through_the_api(company: Company) -> None:
    client = Client()
    body = {
        "department": "运营部",
        "steps": [
            {"name": "销售总(副)经理审核", "actor": "person", "person": "S01", "due_days": 2},
            {"name": "人事核准汇总", "actor": "hr"},
            {"name": "总经理批准", "actor": "gm", "returns_to": "previous"},
        ],
    }
    put = client.put("/api/approval-chain", body, content_type="application/json", **_token(company, "hr"))
    assert put.status_code == 200, put.content
    chains = client.get("/api/approval-chain", **_token(company, "gm")).json()
    assert chains["company_is_default"] is True
    assert [s["name"] for s in chains["company"]] == ["人事核准", "总经理批准"]
    ops = next(d for d in chains["departments"] if d["department"] == "运营部")
    assert [(s["name"], s["person"], s["person_name"], s["due_days"]) for s in ops["steps"]] == [
        ("销售总(副)经理审核", "S01", "沈总", 2),
        ("人事核准汇总", None, "", None),
        ("总经理批准", None, "", None),
    ]
    refused = client.put(
        "/api/approval-chain",
        {"department": None, "steps": [{"name": "终审", "actor": "person"}]},
        content_type="application/json",
        **_token(company, "hr"),
    )
    assert refused.status_code == 400 and refused.json()["code"] == "step_person_missing"
    assert approval_chain.chain(None) == []
    # the GM reads it only; an employee not at all
    assert (
        client.put(
            "/api/approval-chain", body, content_type="application/json", **_token(company, "gm")
        ).status_code
        == 403
    )
    assert client.get("/api/approval-chain", **_token(company, "e01")).status_code == 403


def test_hrs_button_names_where_its_step_sends_the_review(company: Company) -> None:
    ops = Department.objects.get(name="运营部")
    approval_chain.replace(
        "hr",
        ops,
        [
            {"name": "人事核准汇总", "actor": "hr"},
            {"name": "销售总(副)经理审核", "actor": "person", "person": "S01"},
        ],
    )
    approval_chain.replace("hr", Department.objects.get(name="客服部"), [{"name": "人事终审", "actor": "hr"}])
    open_month(company)
    hr = client_for(company, "hr")
    e01 = advance(company, "E01", S.PENDING_HR)
    assert "核准并提交：销售总(副)经理审核" in hr.get(f"/hr/reviews/{e01.pk}/").content.decode()
    answer = hr.post(f"/hr/reviews/{e01.pk}/submit_hr/", {"version": e01.version}, follow=True)
    assert "已核准，提交：销售总(副)经理审核。" in answer.content.decode()
    p01 = advance(company, "P01", S.PENDING_HR)  # 客服部: HR's is the only step
    assert "核准并发布" in hr.get(f"/hr/reviews/{p01.pk}/").content.decode()
    answer = hr.post(f"/hr/reviews/{p01.pk}/submit_hr/", {"version": p01.version}, follow=True)
    assert "已核准，考核结果已发布。" in answer.content.decode()
    # the default chain keeps its words
    g02 = advance(company, "G02", S.PENDING_HR)  # 总经办 follows the company's (default) chain
    assert "核准并提交总经理" in hr.get(f"/hr/reviews/{g02.pk}/").content.decode()
