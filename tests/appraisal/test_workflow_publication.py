"""GM approval (per review and in bulk), publication, acknowledgement, appeals and their outcome."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from appraisal.workflow_company import Company, advance, build_company, open_month
from shopkpi.appraisal.models import Appeal, AuditEntry, Cycle, Review, ReviewSnapshot, Transition
from shopkpi.appraisal.policy import ActionRefused, allowed_actions
from shopkpi.appraisal.reviews.workflow import WorkflowError, approve_all, perform

pytestmark = pytest.mark.django_db
S = Review.Status


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    company = build_company(monkeypatch)
    open_month(company)
    return company


def test_approval_publishes_with_an_appeal_window_of_the_cycles_appeal_days(co: Company) -> None:
    Cycle.objects.update(appeal_days=5)
    review = advance(co, "E01", S.PENDING_GM)
    start = timezone.now()
    review = perform(co.user("gm"), review, "approve")
    assert review.status == S.PUBLISHED
    assert review.published_at is not None and start <= review.published_at <= timezone.now()
    assert review.appeal_deadline == review.published_at + dt.timedelta(days=5)


def test_the_default_appeal_window_is_seven_days(co: Company) -> None:
    review = advance(co, "E01", S.PUBLISHED)
    assert review.published_at is not None
    assert review.appeal_deadline == review.published_at + dt.timedelta(days=7)


def test_bulk_approval_approves_every_review_the_gm_may_approve_and_leaves_their_own(co: Company) -> None:
    for code in ("E01", "E02", "H01", "G01"):
        advance(co, code, S.PENDING_GM)
    advance(co, "M01", S.PENDING_HR)  # not yet with the GM: untouched
    cycle = Cycle.objects.get()
    approved = approve_all(co.user("gm"), cycle, reason="九月考核通过")
    assert sorted(r.employee.code for r in approved) == ["E01", "E02", "H01"]
    assert co.review("G01").status == S.PENDING_GM  # 回避: the GM's own review waits for another GM
    assert co.review("M01").status == S.PENDING_HR
    assert all(co.review(code).status == S.PUBLISHED for code in ("E01", "E02", "H01"))
    entry = AuditEntry.objects.filter(action="cycle.approve_all").get()
    assert (entry.actor, entry.reason, sorted(entry.after["approved"])) == (
        "gm",
        "九月考核通过",
        sorted(r.pk for r in approved),
    )
    assert Transition.objects.filter(action="approve", reason="九月考核通过").count() == 3
    approved = approve_all(co.user("vgm"), cycle)
    assert [r.employee.code for r in approved] == ["G01"]


def test_only_a_gm_approves_in_bulk(co: Company) -> None:
    advance(co, "E01", S.PENDING_GM)
    with pytest.raises(ActionRefused, match="总经理"):
        approve_all(co.user("hr"), Cycle.objects.get())
    assert co.review("E01").status == S.PENDING_GM


def test_the_employee_appeals_per_item_with_a_reason_within_the_window(co: Company) -> None:
    review = advance(co, "E01", S.PUBLISHED)
    e01 = co.user("e01")
    with pytest.raises(WorkflowError, match="至少要针对一个指标"):
        perform(e01, review, "appeal", items=[])
    with pytest.raises(WorkflowError, match="写明"):
        perform(e01, review, "appeal", items=[{"item_key": "attainment", "reason": " "}])
    with pytest.raises(WorkflowError, match="不是本考核的指标"):
        perform(e01, review, "appeal", items=[{"item_key": "nope", "reason": "x"}])
    with pytest.raises(ActionRefused, match="只有本人"):
        perform(co.user("m01"), review, "appeal", items=[{"item_key": "attainment", "reason": "x"}])
    review = perform(
        e01,
        review,
        "appeal",
        items=[
            {"item_key": "attainment", "reason": "9月30日的订单未计入"},
            {"item_key": "attitude", "reason": "态度评分无依据"},
        ],
    )
    assert review.status == S.APPEALED
    appeals = list(Appeal.objects.filter(review=review).order_by("id"))
    assert [(a.item_key, a.reason, a.status) for a in appeals] == [
        ("attainment", "9月30日的订单未计入", "open"),
        ("attitude", "态度评分无依据", "open"),
    ]
    entry = AuditEntry.objects.filter(action="review.appeal").get()
    assert entry.reason == "attainment: 9月30日的订单未计入; attitude: 态度评分无依据"


def test_no_appeal_after_the_window_but_the_review_can_still_be_acknowledged(co: Company) -> None:
    review = advance(co, "E01", S.PUBLISHED)
    Review.objects.filter(pk=review.pk).update(appeal_deadline=timezone.now() - dt.timedelta(minutes=1))
    review.refresh_from_db()
    assert "appeal" not in allowed_actions(co.user("e01"), review)
    with pytest.raises(WorkflowError, match="申诉期已于"):
        perform(co.user("e01"), review, "appeal", items=[{"item_key": "attainment", "reason": "x"}])
    assert perform(co.user("e01"), review, "acknowledge").status == S.ACKNOWLEDGED


def test_an_upheld_appeal_keeps_the_result_published_and_the_employee_may_then_acknowledge(
    co: Company,
) -> None:
    review = advance(co, "E01", S.PUBLISHED)
    score, deadline = review.score, review.appeal_deadline
    review = perform(co.user("e01"), review, "appeal", items=[{"item_key": "attitude", "reason": "评分偏低"}])
    hr = co.user("hr")
    with pytest.raises(WorkflowError, match="处理意见"):
        perform(hr, review, "decide_appeal", outcome="upheld", note="")
    with pytest.raises(WorkflowError, match="维持原结果（upheld）或修正（amended）"):
        perform(hr, review, "decide_appeal", outcome="rejected", note="x")
    review = perform(hr, review, "decide_appeal", outcome="upheld", note="面谈记录支持上级评分")
    assert review.status == S.PUBLISHED
    assert (review.score, review.appeal_deadline) == (score, deadline)
    appeal = Appeal.objects.get(review=review)
    assert (appeal.status, appeal.outcome, appeal.handled_by) == ("upheld", "面谈记录支持上级评分", hr)
    # no appeal form is offered any more (it would be refused), only the signature
    assert "appeal" not in allowed_actions(co.user("e01"), review)
    assert "acknowledge" in allowed_actions(co.user("e01"), review)
    with pytest.raises(WorkflowError, match="已经申诉过"):
        perform(co.user("e01"), review, "appeal", items=[{"item_key": "attitude", "reason": "再次申诉"}])
    assert perform(co.user("e01"), review, "acknowledge").status == S.ACKNOWLEDGED


def test_an_amended_appeal_goes_back_to_the_gm_and_is_published_again_with_a_new_window(co: Company) -> None:
    review = advance(co, "E01", S.PUBLISHED)
    first_published, first_version = review.published_at, review.version
    assert review.score == Decimal("80.0")
    review = perform(
        co.user("e01"), review, "appeal", items=[{"item_key": "attainment", "reason": "9月30日的订单未计入"}]
    )
    review = perform(
        co.user("hr"),
        review,
        "decide_appeal",
        outcome="amended",
        note="核实：漏计 5000 元",
        overrides=[{"name": "gmv", "value": "100000", "reason": "补计9月30日订单 5000 元"}],
    )
    assert review.status == S.PENDING_GM
    # 100000 / 100000 = 100% → 100 → 60;  良 → 32;  92.0
    assert review.score == Decimal("92.0")
    snapshot = ReviewSnapshot.objects.get(review=review)
    assert snapshot.version == first_version + 1  # the appealed version, kept before the amendment
    assert Decimal(snapshot.data["score"]) == Decimal("80.0") and snapshot.data["status"] == S.APPEALED
    assert "核实：漏计 5000 元" in snapshot.reason
    assert Appeal.objects.get(review=review).status == "amended"
    review = perform(co.user("gm"), review, "approve")
    assert review.status == S.PUBLISHED
    assert review.published_at is not None and first_published is not None
    assert review.published_at > first_published
    assert review.appeal_deadline == review.published_at + dt.timedelta(days=7)
    assert perform(co.user("e01"), review, "acknowledge").status == S.ACKNOWLEDGED


def test_an_upheld_appeal_takes_no_overrides(co: Company) -> None:
    review = advance(co, "E01", S.PUBLISHED)
    review = perform(co.user("e01"), review, "appeal", items=[{"item_key": "", "reason": "整体不认可"}])
    with pytest.raises(WorkflowError, match="维持原结果不改动任何数值"):
        perform(
            co.user("hr"),
            review,
            "decide_appeal",
            outcome="upheld",
            note="x",
            overrides=[{"name": "gmv", "value": "1", "reason": "x"}],
        )


def test_hr_does_not_decide_their_own_appeal(co: Company) -> None:
    review = advance(co, "H01", S.PUBLISHED)
    review = perform(co.user("hr"), review, "appeal", items=[{"item_key": "attitude", "reason": "x"}])
    with pytest.raises(ActionRefused, match="回避"):
        perform(co.user("hr"), review, "decide_appeal", outcome="upheld", note="x")
    assert (
        perform(co.user("hr2"), review, "decide_appeal", outcome="upheld", note="维持").status == S.PUBLISHED
    )


def test_pay_adjustments_need_a_reason_and_are_recorded(co: Company) -> None:
    review = advance(co, "E01", S.PUBLISHED)
    hr = co.user("hr")
    with pytest.raises(WorkflowError, match="写明"):
        perform(hr, review, "adjust_pay", amount="-100", reason="")
    with pytest.raises(WorkflowError, match="超过 2 位小数"):
        perform(hr, review, "adjust_pay", amount="1.005", reason="x")
    with pytest.raises(WorkflowError, match="必须是数字"):
        perform(hr, review, "adjust_pay", amount="一百", reason="x")
    review = perform(hr, review, "adjust_pay", amount="-100", reason="迟到两次")
    assert review.status == S.PUBLISHED
    assert [(a.amount, a.reason) for a in review.adjustments.all()] == [(Decimal("-100.00"), "迟到两次")]
    entry = AuditEntry.objects.filter(action="review.adjust_pay").get()
    assert (entry.actor, entry.reason, entry.after["adjustment"]) == ("hr", "迟到两次", "-100")
