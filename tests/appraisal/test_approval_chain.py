"""The company's approval chain (审批流程): the steps after the supervisor that HR sets for the company
and per department, copied to each review when its cycle opens; a named reviewer's step, deadlines,
recusal (回避) and returns (退回), and the audit log naming each step."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User

from appraisal.workflow_company import Company, advance, build_company, open_month
from shopkpi.appraisal import policy
from shopkpi.appraisal.models import AuditEntry, Department, Employee, Review, ReviewStep
from shopkpi.appraisal.organisation import approval_chain
from shopkpi.appraisal.organisation.problems import OrganisationRefused
from shopkpi.appraisal.reviews import deadlines, todo
from shopkpi.appraisal.reviews.workflow import perform

pytestmark = pytest.mark.django_db
S = Review.Status

# seed 000: 销售总(副)经理审核 → 人事核准汇总 → 总经理批准, after the supervisor's 评分与面谈
SALES_CHAIN = [
    {
        "name": "销售总(副)经理审核",
        "actor": "person",
        "person": "S01",
        "due_days": 2,
        "returns_to": "supervisor",
    },
    {"name": "人事核准汇总", "actor": "hr", "returns_to": "previous"},
    {"name": "总经理批准", "actor": "gm", "due_days": 3},
]


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    """The workflow company, with 沈总 (S01, user s01) the 销售总经理 in 总经办, and 运营部's own chain."""
    company = build_company(monkeypatch)
    user = User.objects.create_user("s01", password="x")
    company.users["s01"] = user
    company.employees["S01"] = Employee.objects.create(
        code="S01",
        name="沈总",
        department=Department.objects.get(name="总经办"),
        position=company.employees["E01"].position,
        supervisor=company.employees["G01"],
        hired_on=dt.date(2024, 1, 1),
        user=user,
    )
    approval_chain.replace("hr", Department.objects.get(name="运营部"), SALES_CHAIN)
    open_month(company)
    return company


def _to_chain(co: Company, code: str) -> Review:
    return advance(co, code, S.PENDING_STEP)


def test_a_department_chain_is_copied_to_its_reviews_with_its_deadlines(co: Company) -> None:
    # the supervisor's deadline: the 7th of October 2026 is in the National Day holiday -> Thu 10-08;
    # 销售总(副)经理审核 2 days later: Sat 10-10, a make-up working day (调休) -> 10-10;
    # 人事核准汇总 without days: the cycle's HR deadline, the 10th -> 10-10;
    # 总经理批准 3 days after 10-10: Tue 10-13
    review = co.review("E01")
    assert review.cycle.supervisor_due == dt.date(2026, 10, 8)
    steps = list(ReviewStep.objects.filter(review=review).values_list("order", "name", "actor", "due"))
    assert steps == [
        (0, "销售总(副)经理审核", "person", dt.date(2026, 10, 10)),
        (1, "人事核准汇总", "hr", dt.date(2026, 10, 10)),
        (2, "总经理批准", "gm", dt.date(2026, 10, 13)),
    ]
    # 客服部 has no chain of its own and the company none: the default chain, no rows
    assert not ReviewStep.objects.filter(review=co.review("P01")).exists()


def test_a_review_goes_through_the_four_steps_with_the_named_reviewer(co: Company) -> None:
    review = _to_chain(co, "E01")
    assert review.status == S.PENDING_STEP
    s01 = co.user("s01")
    assert policy.allowed_actions(s01, review) == ["pass_step", "return_step"]
    assert deadlines.due_date(review) == dt.date(2026, 10, 10)
    # HR and the GM see it, but the step is not theirs
    assert policy.refusal(co.user("hr"), review, "pass_step") is not None
    review = perform(s01, review, "pass_step", reason="同意，销售数据属实")
    assert review.status == S.PENDING_HR
    review = perform(co.user("hr"), review, "submit_hr")
    assert review.status == S.PENDING_GM
    review = perform(co.user("gm"), review, "approve")
    assert review.status == S.PUBLISHED and review.published_at is not None
    names = [
        (e.action, (e.before or {}).get("chain_step"), (e.after or {}).get("chain_step"))
        for e in AuditEntry.objects.filter(object_type="review", object_id=str(review.pk)).order_by("id")
        if e.action in {"review.submit_supervisor", "review.pass_step", "review.submit_hr", "review.approve"}
    ]
    assert names == [
        ("review.submit_supervisor", None, "销售总(副)经理审核"),
        ("review.pass_step", "销售总(副)经理审核", "人事核准汇总"),
        ("review.submit_hr", "人事核准汇总", "总经理批准"),
        ("review.approve", "总经理批准", None),
    ]


def test_the_named_reviewer_sees_their_departments_reviews_only_from_their_step_on(co: Company) -> None:
    s01 = co.user("s01")
    seen = set(policy.visible_reviews(s01).values_list("employee__code", flat=True))
    assert seen == {"S01"}  # their own only: no review of 运营部 has reached their step yet
    _to_chain(co, "E01")
    seen = set(policy.visible_reviews(s01).values_list("employee__code", flat=True))
    assert seen == {"S01", "E01"}
    with pytest.raises(policy.ReviewNotFound):
        policy.review_for(s01, co.review("E02").pk)  # not yet at their step
    with pytest.raises(policy.ReviewNotFound):
        policy.review_for(s01, co.review("P01").pk)  # 客服部: not on their chain
    # they keep sight of it after their step, and after a return to the supervisor
    review = perform(s01, co.review("E01"), "return_step", reason="请补充大促期间的数据说明")
    assert review.status == S.PENDING_SUPERVISOR
    assert policy.review_for(s01, review.pk).pk == review.pk
    # the supervisor and the employee see it as before; a peer does not
    assert policy.review_for(co.user("m01"), review.pk).pk == review.pk
    with pytest.raises(policy.ReviewNotFound):
        policy.review_for(co.user("e02"), review.pk)


def test_returns_go_where_each_step_is_set_to_send_them(co: Company) -> None:
    s01, hr, gm = co.user("s01"), co.user("hr"), co.user("gm")
    review = perform(s01, _to_chain(co, "E01"), "pass_step")
    review = perform(hr, review, "submit_hr")
    # 总经理批准 returns to the previous step (人事核准汇总)
    review = perform(gm, review, "return_to_hr", reason="请核对目标值")
    assert review.status == S.PENDING_HR and review.chain_step == 1
    # 人事核准汇总 returns to the previous step: the 销售总经理's
    review = perform(hr, review, "return_to_supervisor", reason="请销售总经理复核")
    assert review.status == S.PENDING_STEP and review.chain_step == 0
    # the 销售总经理's step returns to the supervisor
    with pytest.raises(Exception, match="原因"):
        perform(s01, review, "return_step", reason=" ")
    review = perform(s01, co.review("E01"), "return_step", reason="评分依据不足")
    assert review.status == S.PENDING_SUPERVISOR and review.chain_step is None
    entry = AuditEntry.objects.filter(action="review.return_step").latest("id")
    assert entry.after["returned_to"] == "上级评分" and entry.reason == "评分依据不足"


def test_a_step_whose_reviewer_is_the_employee_is_skipped_and_audited(co: Company) -> None:
    # S01 moves to 运营部 before the next month: their own review would come to their own step
    Employee.objects.filter(code="S01").update(department=Department.objects.get(name="运营部"))
    open_month(co, "2026-10")
    review = advance(co, "S01", S.PENDING_HR, period="2026-10")
    assert review.chain_step == 1
    skipped = AuditEntry.objects.get(action="review.skip_step", object_id=str(review.pk))
    assert skipped.after == {"chain_step": "销售总(副)经理审核"}
    assert "回避" in skipped.reason
    # a return from HR's step skips their step backwards too: to the supervisor
    review = perform(co.user("hr"), review, "return_to_supervisor", reason="请补面谈")
    assert review.status == S.PENDING_SUPERVISOR


def test_a_chain_changed_mid_month_moves_no_review_already_opened(co: Company) -> None:
    approval_chain.replace("hr", Department.objects.get(name="运营部"), [])  # back to the company's
    approval_chain.replace("hr", None, [{"name": "总经理批准", "actor": "gm"}])
    review = _to_chain(co, "E01")  # the month opened with 运营部's chain: it keeps it
    assert review.status == S.PENDING_STEP
    p01 = advance(co, "P01", S.PENDING_HR)  # the default chain it opened with, not the new company chain
    assert p01.status == S.PENDING_HR


def test_the_named_reviewers_to_do_list_shows_the_step_with_its_deadline(co: Company) -> None:
    s01 = co.user("s01")
    assert todo.counts(s01, dt.date(2026, 10, 9))["review"] == 0
    _to_chain(co, "E01")
    waiting = [todo.entry(r) for r in todo.waiting(s01, dt.date(2026, 10, 12))]
    # their own self-review (due 10-08), and E01's review at their step (due 10-10), late on 10-12
    assert [(t.review.employee.code, t.kind, t.due, t.overdue) for t in waiting] == [
        ("S01", todo.SELF, dt.date(2026, 10, 8), True),
        ("E01", todo.REVIEW, dt.date(2026, 10, 10), True),
    ]
    counts = todo.counts(s01, dt.date(2026, 10, 9))
    assert (counts["review"], counts["self"], counts["total"], counts["overdue"]) == (1, 1, 2, 1)
    # HR's and the GM's lists do not show a step that is not theirs
    assert todo.counts(co.user("hr"), dt.date(2026, 10, 9))["review"] == 0


def test_a_chain_is_refused_whole_with_every_problem_named() -> None:
    Department.objects.create(name="运营部")
    with pytest.raises(OrganisationRefused) as refused:
        approval_chain.replace(
            "hr",
            None,
            [
                {"name": "", "actor": "hr"},
                {"name": "审核", "actor": "person", "person": "NOBODY"},
                {"name": "审核", "actor": "boss", "due_days": "x"},
                {"name": "终审", "actor": "gm", "person": "S01", "returns_to": "somewhere"},
            ],
        )
    codes = [(p.code, p.field) for p in refused.value.problems]
    assert codes == [
        ("step_name_missing", "name"),
        ("step_person_unknown", "person"),
        ("step_name_repeated", "name"),
        ("step_actor_unknown", "actor"),
        ("step_days_bad", "due_days"),
        ("step_person_not_named", "person"),
        ("step_return_unknown", "returns_to"),
    ]
    assert "第 2 步" in refused.value.problems[1].message
    assert approval_chain.chain(None) == []  # nothing written


def test_the_named_reviewer_is_told_and_reminded(
    co: Company, django_capture_on_commit_callbacks: Any
) -> None:
    from shopkpi.appraisal.models import Notice
    from shopkpi.appraisal.notifications import messages
    from shopkpi.appraisal.notifications.reminders import remind

    with django_capture_on_commit_callbacks(execute=True):
        _to_chain(co, "E01")
    s01 = co.user("s01")
    told = Notice.objects.get(kind=Notice.Kind.STEP_WAITING, recipient=s01)
    assert told.params["step_name"] == "销售总(副)经理审核" and told.params["due"] == "2026-10-10"
    assert (
        messages.body(told)
        == "赵一 的考核（2026-09）到了「销售总(副)经理审核」这一步，请在 2026-10-10 前审核。"
    )
    # the step is due on 10-10: on 10-09 it is announced as due, on 10-12 as overdue, to s01 only
    remind(dt.date(2026, 10, 9))
    due = Notice.objects.filter(kind=Notice.Kind.DUE, review=co.review("E01"))
    assert [(n.recipient, n.params["step_name"]) for n in due] == [(s01, "销售总(副)经理审核")]
    remind(dt.date(2026, 10, 12))
    late = Notice.objects.filter(kind=Notice.Kind.OVERDUE, review=co.review("E01"))
    assert [(n.recipient, n.params["days"]) for n in late] == [(s01, 2)]
