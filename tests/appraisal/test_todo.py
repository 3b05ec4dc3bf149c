"""待我处理: each person's list holds exactly the reviews whose step the policy lets them take, returned
ones first with their reason, each with its deadline and overdue flag (issue 12, item 1)."""

from __future__ import annotations

import datetime as dt

import pytest

from appraisal.workflow_company import Company, advance, build_company, open_month
from shopkpi.appraisal import policy
from shopkpi.appraisal.models import Review
from shopkpi.appraisal.reviews import todo
from shopkpi.appraisal.reviews.workflow import perform

pytestmark = pytest.mark.django_db
S = Review.Status
BEFORE = dt.date(2026, 9, 30)  # before every deadline of 2026-09
AFTER = dt.date(2026, 11, 30)  # after the HR deadline of 2026-09
# the step on the list -> the action that takes it (what the policy is asked)
TAKES = {
    todo.SELF: "submit_self",
    todo.RATE: "submit_supervisor",
    todo.CHECK: "submit_hr",
    todo.APPEAL: "decide_appeal",
    todo.APPROVE: "approve",
    todo.SIGN: "acknowledge",
}


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    company = build_company(monkeypatch)
    open_month(company)
    return company


def listed(co: Company, username: str, today: dt.date = BEFORE, **filters: object) -> list[tuple[str, str]]:
    found = todo.waiting(co.user(username), today, todo.Filters(**filters))  # type: ignore[arg-type]
    return [(r.employee.code, r.todo_kind) for r in found]


def test_every_list_is_what_the_policy_allows(co: Company) -> None:
    advance(co, "E01", S.PENDING_SUPERVISOR)
    advance(co, "E02", S.PENDING_HR)
    advance(co, "H01", S.PENDING_HR)  # HR's own review: the other HR officer checks it
    advance(co, "G01", S.PENDING_GM)  # the GM's own review: the other GM (or HR) approves it
    advance(co, "M01", S.PUBLISHED)
    review = advance(co, "P01", S.PUBLISHED)
    perform(co.user("p01"), review, "appeal", items=[{"item_key": "attitude", "reason": "评分偏低"}])
    reviews = list(Review.objects.select_related("cycle", "employee__user"))
    for username in ("gm", "vgm", "hr", "hr2", "m01", "e01", "e02", "p01"):
        user = co.user(username)
        expected = sorted(
            (r.employee.code, kind)
            for r in reviews
            for kind, action in TAKES.items()
            if policy.refusal(user, r, action) is None
        )
        assert sorted(listed(co, username)) == expected, username
    # spelled out for a few, so the comparison above cannot pass on two empty lists
    assert sorted(listed(co, "hr")) == [("E02", "check"), ("G01", "approve"), ("P01", "appeal")]
    assert sorted(listed(co, "hr2")) == [
        ("E02", "check"),
        ("G01", "approve"),
        ("H01", "check"),
        ("H02", "self"),
        ("P01", "appeal"),
    ]
    assert listed(co, "m01") == [("E01", "rate"), ("M01", "sign")]
    # G01's own review waits for vgm; the GM may take the HR step of an HR officer's review (回避)
    assert listed(co, "gm") == [("H01", "check")]
    # earliest deadline first; an approval has none, so it comes last
    assert listed(co, "vgm") == [("G02", "self"), ("H01", "check"), ("G01", "approve")]


def test_a_returned_review_comes_first_with_its_reason_and_deadlines_flag_lateness(co: Company) -> None:
    advance(co, "E01", S.PENDING_SUPERVISOR)
    advance(co, "E02", S.PENDING_SUPERVISOR)
    m01 = co.user("m01")
    perform(m01, co.review("E02"), "return_to_self", reason="请补充本月的直播复盘")
    assert listed(co, "m01") == [("E01", "rate"), ("M01", "self")]
    found = list(todo.waiting(co.user("e02"), BEFORE))
    assert [(r.employee.code, r.todo_kind, r.last_action, r.last_reason) for r in found] == [
        ("E02", "self", "return_to_self", "请补充本月的直播复盘")
    ]
    cycle = found[0].cycle
    assert found[0].todo_due == cycle.self_due and not found[0].todo_overdue
    late = todo.waiting(co.user("m01"), AFTER)
    assert [(r.todo_due, r.todo_overdue) for r in late] == [
        (cycle.supervisor_due, True),
        (cycle.self_due, True),
    ]
    # the returned one first: e02 now has only one, so look at an evaluator with a returned and a plain one
    advance(co, "E02", S.PENDING_SUPERVISOR)
    perform(co.user("hr"), advance(co, "E01", S.PENDING_HR), "return_to_supervisor", reason="面谈记录不全")
    assert listed(co, "m01") == [("E01", "rate"), ("E02", "rate"), ("M01", "self")]
    first = todo.waiting(co.user("m01"), BEFORE).first()
    assert first is not None and first.last_reason == "面谈记录不全"


def test_counts_filters_and_no_list_for_an_archived_month(co: Company) -> None:
    advance(co, "E01", S.PENDING_SUPERVISOR)
    assert todo.counts(co.user("m01"), AFTER) == {
        "self": 1,
        "rate": 1,
        "review": 0,
        "check": 0,
        "appeal": 0,
        "approve": 0,
        "sign": 0,
        "total": 2,
        "overdue": 2,
    }
    assert listed(co, "m01", kind="rate") == [("E01", "rate")]
    assert listed(co, "m01", search="E01") == [("E01", "rate")]
    assert listed(co, "m01", period="2026-08") == []
    assert listed(co, "m01", AFTER, only_overdue=True) == [("E01", "rate"), ("M01", "self")]
    assert listed(co, "m01", BEFORE, only_overdue=True) == []
    Review.objects.filter(employee__code="E01").update(status=S.ACKNOWLEDGED)
    co.review("M01").cycle.__class__.objects.update(status="archived")
    assert todo.counts(co.user("m01"), AFTER)["total"] == 0
