"""The GM's approve-all (workflow.approve_all) approves every review it may as one approval each would,
in a number of queries that does not grow with the number of reviews."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appraisal.workflow_company import Company, advance, build_company, open_month
from shopkpi.appraisal import audit
from shopkpi.appraisal.calibration import publishing, targets
from shopkpi.appraisal.calibration.targets import TargetRow
from shopkpi.appraisal.models import (
    ActionItem,
    AuditEntry,
    Cycle,
    Employee,
    Interview,
    Notice,
    Rating,
    Review,
    Transition,
)
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews.review_scoring import recompute
from shopkpi.appraisal.reviews.workflow import WorkflowError, approve_all, approve_reviews, perform

pytestmark = pytest.mark.django_db
S = Review.Status
EVERYONE = ("G01", "G02", "H01", "H02", "M01", "E01", "E02", "P01")


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    return build_company(monkeypatch)


def _hire(co: Company, n: int) -> None:
    """n more 运营专员 (X000 …) reporting to M01, each with a login (gmv 95000 like everyone)."""
    m01 = Employee.objects.get(code="M01")
    for k in range(n):
        code = f"X{k:03d}"
        Employee.objects.create(
            code=code,
            name=f"新人{k}",
            department=m01.department,
            position=m01.position,
            supervisor=m01,
            base_salary=Decimal(6000),
            hired_on=dt.date(2024, 1, 1),
            user=User.objects.create_user(code.lower(), password="x"),
        )
        co.shop.gmv[code] = Decimal(95000)


def _at_gm(reviews: list[Review]) -> None:
    """The reviews as the supervisor and HR leave them for the GM: rated 良, interviewed, values frozen."""
    m01 = User.objects.get(username="m01")
    for review in reviews:
        Rating.objects.create(
            review=review,
            item_key="attitude",
            rater="supervisor",
            value=Decimal(80),
            level="良",
            rated_by=m01,
        )
        Interview.objects.create(
            review=review,
            held_on=dt.date(2026, 10, 5),
            strengths="稳",
            improvements="快",
            plan="学",
            recorded_by=m01,
        )
        review.refresh_from_db()
        recompute(review, save=False)
        review.status, review.chain_step, review.values_frozen_at = S.PENDING_GM, 1, timezone.now()
        review.save()


@pytest.mark.parametrize("with_targets", [False, True], ids=["no targets", "targets"])
def test_approving_80_reviews_takes_the_queries_approving_20_takes(
    co: Company, django_capture_on_commit_callbacks: Any, with_targets: bool
) -> None:
    """With calibration targets (the distribution outside them, confirmed by the GM) as without: the
    distribution is checked once for the cycle, not once for each review (4 queries each, and each
    counting the whole cycle: quadratic)."""
    _hire(co, 100)
    open_month(co)
    if with_targets:
        targets.set_targets(co.user("hr"), None, [TargetRow("合格", at_most="50")])
    hired = list(Review.objects.filter(employee__code__startswith="X").order_by("employee__code"))
    counts = []
    for batch in (hired[:20], hired[20:]):
        _at_gm(batch)
        if with_targets:  # 合格 20/28, then 100/108: outside the target, confirmed as it is
            publishing.confirm(co.user("gm"), Cycle.objects.get())
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            approved = approve_all(co.user("gm"), Cycle.objects.get(), reason="同意")
        assert sorted(r.pk for r in approved) == sorted(r.pk for r in batch)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert Review.objects.filter(status=S.PUBLISHED).count() == 100
    assert Notice.objects.filter(kind=Notice.Kind.PUBLISHED).count() == 100  # one to each employee
    assert audit.verify() is None


def _outcome() -> dict[str, Any]:
    """What approving left: the reviews, the steps, the audit entries (times of publication apart), the
    notices and action items, by employee code."""
    code = {
        pk: name if period == "2026-09" else f"{name} {period}"
        for pk, name, period in Review.objects.values_list("pk", "employee__code", "cycle__period")
    }
    reviews = {
        code[r.pk]: (
            r.status,
            r.version,
            r.score,
            r.grade,
            r.pay,
            r.result,
            r.missing,
            r.values,
            r.chain_step,
            r.values_frozen_at is not None,
            r.published_at is not None,
            None if r.published_at is None else r.appeal_deadline - r.published_at,
            r.final_at,
        )
        for r in Review.objects.all()
    }
    timed = ("published_at", "appeal_deadline")
    entries = [
        (
            e.actor,
            e.action,
            code.get(int(e.object_id), e.object_id) if e.object_type == "review" else e.object_id,
            e.before,
            {k: v if k not in timed else bool(v) for k, v in (e.after or {}).items()},
            e.reason,
        )
        for e in AuditEntry.objects.exclude(action="cycle.approve_all").order_by("id")
    ]
    return {
        "reviews": reviews,
        "steps": [
            (code[t.review_id], t.from_status, t.to_status, t.action, t.reason, t.actor_id)
            for t in Transition.objects.order_by("id")
        ],
        "audit": entries,
        "notices": [
            (n.kind, n.recipient_id, code.get(n.review_id), n.params) for n in Notice.objects.order_by("id")
        ],
        "action_items": sorted(ActionItem.objects.values_list("review_id", "action", "status")),
    }


@pytest.mark.parametrize("with_targets", [False, True], ids=["no targets", "targets"])
def test_approving_all_leaves_what_approving_each_review_in_turn_leaves(
    co: Company, django_capture_on_commit_callbacks: Any, with_targets: bool
) -> None:
    open_month(co)
    for code in EVERYONE:
        advance(co, code, S.PENDING_GM)
    if with_targets:  # every grade 合格, above the target: published under the GM's confirmation
        targets.set_targets(co.user("hr"), None, [TargetRow("合格", at_most="50")])
        publishing.confirm(co.user("gm"), Cycle.objects.get())
    gm = co.user("gm")
    with transaction.atomic():  # each in turn (the way approve_all orders them), then undone
        with django_capture_on_commit_callbacks(execute=True):
            for review in (
                Review.objects.filter(status=S.PENDING_GM)
                .exclude(employee__code="G01")
                .order_by("employee__code")
            ):
                perform(gm, review, "approve", reason="同意 ")
        in_turn = _outcome()
        transaction.set_rollback(True)
    before = _outcome()
    assert in_turn != before
    with django_capture_on_commit_callbacks(execute=True):
        approved = approve_all(co.user("gm"), Cycle.objects.get(), reason="同意 ")
    assert [r.employee.code for r in approved] == ["E01", "E02", "G02", "H01", "H02", "M01", "P01"]
    assert _outcome() == in_turn
    if with_targets:
        confirmation = publishing.DistributionConfirmation.objects.get()
        assert {
            e.after["distribution_confirmed"] for e in AuditEntry.objects.filter(action="review.approve")
        } == {confirmation.pk}
    assert co.review("G01").status == S.PENDING_GM  # 回避: the GM's own waits for another GM
    entry = AuditEntry.objects.get(action="cycle.approve_all")
    assert (entry.reason, entry.after["approved"]) == ("同意 ", [r.pk for r in approved])
    assert audit.verify() is None


def test_approving_the_reviews_a_filter_matches_leaves_what_approving_each_in_turn_leaves(
    co: Company, django_capture_on_commit_callbacks: Any
) -> None:
    """The GM page's approve-by-filter (workflow.approve_reviews) approves together what it approved one
    review at a time, in the order of their ids: the same reviews, steps, audit entries and notices."""
    open_month(co)
    for code in EVERYONE:
        advance(co, code, S.PENDING_GM)
    gm = co.user("gm")
    wanted = Review.objects.filter(status=S.PENDING_GM).exclude(employee__code__in=("G01", "H02"))
    with transaction.atomic():
        with django_capture_on_commit_callbacks(execute=True):
            for review in wanted.order_by("pk"):
                perform(gm, review, "approve", reason="同意")
        in_turn = _outcome()
        transaction.set_rollback(True)
    with django_capture_on_commit_callbacks(execute=True):
        approved = approve_reviews(gm, wanted, reason="同意")
    assert [r.pk for r in approved] == sorted(r.pk for r in approved) and len(approved) == 6
    assert _outcome() == in_turn
    assert co.review("H02").status == S.PENDING_GM
    assert audit.verify() is None
    # the GM's own review among them: refused as perform refuses it (回避), nothing approved
    with pytest.raises(ActionRefused) as refused:
        approve_reviews(gm, Review.objects.filter(status=S.PENDING_GM), reason="同意")
    with pytest.raises(ActionRefused) as one:
        perform(gm, co.review("G01"), "approve")
    assert (refused.value.code, str(refused.value)) == (one.value.code, str(one.value))
    assert co.review("H02").status == S.PENDING_GM


def test_outside_the_target_unconfirmed_approving_all_is_refused_as_the_first_approval_is(
    co: Company,
) -> None:
    """Without the GM's confirmation, approve-all refuses with the words the first review's approval
    gives, and writes nothing."""
    open_month(co)
    for code in EVERYONE:
        advance(co, code, S.PENDING_GM)
    targets.set_targets(co.user("hr"), None, [TargetRow("合格", at_most="50")])
    with pytest.raises(publishing.OutsideTarget) as one:
        perform(co.user("gm"), co.review("E01"), "approve")
    before = (
        sorted(Review.objects.values_list("pk", "status", "version", "published_at")),
        AuditEntry.objects.count(),
        Transition.objects.count(),
    )
    with pytest.raises(publishing.OutsideTarget) as refused:
        approve_all(co.user("gm"), Cycle.objects.get())
    assert (refused.value.code, str(refused.value)) == (one.value.code, str(one.value))
    assert "全公司 合格 8/8 = 100.0%（目标至多 50%）" in str(refused.value)
    after = (
        sorted(Review.objects.values_list("pk", "status", "version", "published_at")),
        AuditEntry.objects.count(),
        Transition.objects.count(),
    )
    assert after == before


def test_a_review_that_cannot_be_published_refuses_the_whole_approval(co: Company) -> None:
    open_month(co)
    for code in ("E01", "E02", "P01"):
        advance(co, code, S.PENDING_GM)
    e02 = co.review("E02")
    e02.values = {**e02.values, "gmv": None}  # its sales figure withdrawn since HR passed it on
    e02.save(update_fields=["values"])
    before = (
        sorted(Review.objects.values_list("pk", "status", "version", "published_at")),
        AuditEntry.objects.count(),
        Transition.objects.count(),
    )
    with pytest.raises(WorkflowError) as refused:
        approve_all(co.user("gm"), Cycle.objects.get())
    assert refused.value.code == "review_incomplete" and "销售完成率" in str(refused.value)
    after = (
        sorted(Review.objects.values_list("pk", "status", "version", "published_at")),
        AuditEntry.objects.count(),
        Transition.objects.count(),
    )
    assert after == before  # nothing approved, nothing written


def test_a_grade_changed_on_approval_is_counted_for_the_next_review_as_approving_in_turn_counts_it(
    co: Company,
) -> None:
    """E01 was stored as 优秀 but is recomputed 合格 when approved: the company's 合格 goes from 7/8, which
    the GM confirmed, to 8/8, which the GM did not. Approving in turn publishes E01 and refuses E02;
    approve-all reads the distribution again after E01's grade changed and refuses too (it would approve
    both with the figures read before E01, 7/8)."""
    open_month(co)
    for code in EVERYONE:
        advance(co, code, S.PENDING_GM)
    Review.objects.filter(pk=co.review("E01").pk).update(grade="优秀")
    targets.set_targets(co.user("hr"), None, [TargetRow("合格", at_most="50")])
    publishing.confirm(co.user("gm"), Cycle.objects.get())  # 合格 7/8
    gm = co.user("gm")
    with transaction.atomic():
        perform(gm, co.review("E01"), "approve")
        assert co.review("E01").grade == "合格"
        with pytest.raises(publishing.OutsideTarget) as one:
            perform(gm, co.review("E02"), "approve")
        transaction.set_rollback(True)
    assert "合格 8/8" in str(one.value)
    before = sorted(Review.objects.values_list("pk", "status", "version", "grade"))
    with pytest.raises(publishing.OutsideTarget) as refused:
        approve_all(gm, Cycle.objects.get())
    assert (refused.value.code, str(refused.value)) == (one.value.code, str(one.value))
    assert sorted(Review.objects.values_list("pk", "status", "version", "grade")) == before


def test_approving_reviews_of_two_cycles_by_filter_goes_in_the_order_of_their_ids_as_one_by_one(
    co: Company, django_capture_on_commit_callbacks: Any
) -> None:
    """Two open months whose reviews' ids alternate (every other employee's swapped): approve-by-filter
    approves them in id order, a run of one cycle's reviews at a time, leaving the same steps, audit
    entries (in the same order) and notices as approving one by one."""
    open_month(co)
    open_month(co, "2026-10")
    september, october = Cycle.objects.get(period="2026-09"), Cycle.objects.get(period="2026-10")
    parking = _spare_cycle()
    for n, code in enumerate(sorted(EVERYONE)):
        if n % 2:  # the September review takes October's place and the other way round
            sep, octo = co.review(code), co.review(code, "2026-10")
            Review.objects.filter(pk=sep.pk).update(cycle=parking)
            Review.objects.filter(pk=octo.pk).update(cycle=september)
            Review.objects.filter(pk=sep.pk).update(cycle=october)
    for period in ("2026-09", "2026-10"):
        for code in EVERYONE:
            advance(co, code, S.PENDING_GM, period)
    cycle_of = [c for (c,) in Review.objects.order_by("pk").values_list("cycle_id")]
    assert len(list(itertools.groupby(cycle_of))) > 2  # interleaved
    gm = co.user("gm")
    wanted = Review.objects.filter(status=S.PENDING_GM).exclude(employee__code="G01")
    with transaction.atomic():
        with django_capture_on_commit_callbacks(execute=True):
            for review in wanted.order_by("pk"):
                perform(gm, review, "approve", reason="同意")
        in_turn = _outcome()
        transaction.set_rollback(True)
    with django_capture_on_commit_callbacks(execute=True):
        approved = approve_reviews(gm, wanted, reason="同意")
    assert [r.pk for r in approved] == sorted(r.pk for r in approved) and len(approved) == 14
    assert _outcome() == in_turn
    assert audit.verify() is None


def test_a_review_of_a_cycle_not_locked_refuses_the_approval_by_filter(
    co: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a review of another cycle may come in between locking the cycles and the reviews
    (here: made in between): the approval is refused, nothing is approved, not a KeyError."""
    open_month(co)
    for code in ("E01", "E02"):
        advance(co, code, S.PENDING_GM)
    from shopkpi.appraisal.reviews import workflow

    real = workflow._for_approval

    def late(reviews: Any, order: str) -> list[Review]:
        review = co.review("P01")
        other = _spare_cycle()
        Review.objects.filter(pk=review.pk).update(cycle=other, status=S.PENDING_GM)
        return real(reviews, order)

    monkeypatch.setattr(workflow, "_for_approval", late)
    wanted = Review.objects.filter(employee__code__in=("E01", "E02", "P01"), status=S.PENDING_GM)
    with pytest.raises(WorkflowError) as refused:
        approve_reviews(co.user("gm"), wanted, reason="同意")
    assert refused.value.code == "list_changed" and "什么都没有批准" in str(refused.value)
    assert set(Review.objects.filter(employee__code__in=("E01", "E02")).values_list("status", flat=True)) == {
        S.PENDING_GM
    }


def _spare_cycle() -> Cycle:
    """An open cycle 2026-12 (September's deadlines) without reviews."""
    spare = Cycle.objects.get(period="2026-09")
    spare.pk, spare.period = None, "2026-12"
    spare.save()
    return spare
