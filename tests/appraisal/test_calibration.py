"""Calibration (校准) before publishing: a grade adjusted with a reason (the score stays, pay follows
the grade where the template's pay reads it), the distribution against HR's target, and the publish
warning with its figures that the GM confirms.

Every score of the workflow company is 80 (95000 / 100000 -> [80%, 100%) -> 80 × 60% = 48; 良 -> 80 ×
40% = 32; 48 + 32 = 80), so every grade is 合格 ([60, 90)) until calibration moves one."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from appraisal.workflow_company import Company, advance, build_company, open_month, use_template
from shopkpi.appraisal.calibration import adjust, distribution, publishing, targets
from shopkpi.appraisal.calibration.targets import TargetRow
from shopkpi.appraisal.models import AuditEntry, Cycle, Department, Review, Transition
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews.review_steps import WorkflowError
from shopkpi.appraisal.reviews.workflow import approve_all, perform

pytestmark = pytest.mark.django_db
S = Review.Status
EVERYONE = ("G01", "G02", "H01", "H02", "M01", "E01", "E02", "P01")


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    company = build_company(monkeypatch)
    use_template(company, "E02", "t-grade-pay", "pay:\n  amount: 800 if grade == '优秀' else 500\n")
    open_month(company)
    return company


def test_a_calibrated_grade_keeps_the_score_and_the_employee_sees_it_with_its_reason(co: Company) -> None:
    review = advance(co, "E01", S.PENDING_GM)
    # E01: 80 -> 合格; pay 6000 × 10% × 80 / 100 = 480.00 (the pay reads the score, not the grade)
    assert (review.score, review.grade, review.pay) == (Decimal("80.0"), "合格", Decimal("480.00"))
    adjust.calibrate(co.user("hr"), review, "优秀", "大促期间独立承担直播间运营")
    review = co.review("E01")
    assert (review.score, review.grade, review.pay) == (Decimal("80.0"), "优秀", Decimal("480.00"))
    step = Transition.objects.get(review=review, action="calibrate")
    assert (step.reason, step.actor.username) == ("大促期间独立承担直播间运营", "hr")
    entry = AuditEntry.objects.filter(action="review.calibrate").get()
    assert (entry.before["grade"], entry.after["grade"]) == ("合格", "优秀")
    review = perform(co.user("gm"), review, "approve")  # approval scores again: the calibration stays
    assert (review.status, review.grade, review.score) == (S.PUBLISHED, "优秀", Decimal("80.0"))
    shown = review.result["calibration"]
    assert (shown["grade"], shown["score_grade"], shown["reason"], shown["by"]) == (
        "优秀",
        "合格",
        "大促期间独立承担直播间运营",
        "hr",
    )


def test_pay_follows_the_calibrated_grade_where_the_templates_pay_reads_it(co: Company) -> None:
    review = advance(co, "E02", S.PENDING_HR)
    assert (review.grade, review.pay) == ("合格", Decimal("500.00"))  # 800 if grade == '优秀' else 500
    adjust.calibrate(co.user("hr"), review, "优秀", "跨部门支援")
    assert (co.review("E02").score, co.review("E02").pay) == (Decimal("80.0"), Decimal("800.00"))
    adjust.calibrate(co.user("gm"), co.review("E02"), "合格", "撤回：与部门分布不符")  # back to the score's
    review = co.review("E02")
    assert (review.grade, review.pay, review.result["calibration"]) == ("合格", Decimal("500.00"), None)


@pytest.mark.parametrize(
    ("who", "code", "grade", "reason", "refusal"),
    [
        ("hr", "E01", "优秀", "", "reason_missing"),
        ("hr", "E01", "A+", "理由", "unknown_grade"),
        ("hr", "E01", "合格", "理由", "same_grade"),
        ("e02", "E01", "优秀", "理由", "wrong_party"),
        ("m01", "E01", "优秀", "理由", "wrong_party"),
        ("hr", "H01", "优秀", "理由", "recusal"),
    ],
)
def test_calibration_is_refused_with_a_reason_and_changes_nothing(
    co: Company, who: str, code: str, grade: str, reason: str, refusal: str
) -> None:
    review = advance(co, code, S.PENDING_HR)
    with pytest.raises((WorkflowError, ActionRefused)) as raised:
        adjust.calibrate(co.user(who), review, grade, reason)
    assert raised.value.code == refusal
    assert (co.review(code).grade, co.review(code).version) == ("合格", review.version)
    assert not Transition.objects.filter(action="calibrate").exists()


def test_no_calibration_before_the_supervisor_is_done_or_after_publication(co: Company) -> None:
    with pytest.raises(ActionRefused):
        adjust.calibrate(co.user("hr"), advance(co, "E01", S.PENDING_SUPERVISOR), "优秀", "理由")
    with pytest.raises(ActionRefused):
        adjust.calibrate(co.user("hr"), advance(co, "P01", S.PUBLISHED), "优秀", "理由")


def _everyone_with_hr_and_two_excellent(co: Company) -> None:
    """All eight at 待人事核准; E01 and E02 (运营部) calibrated to 优秀."""
    for code in EVERYONE:
        advance(co, code, S.PENDING_HR)
    adjust.calibrate(co.user("hr"), co.review("E01"), "优秀", "季度之星")
    adjust.calibrate(co.user("hr"), co.review("E02"), "优秀", "跨部门支援")
    targets.set_targets(
        co.user("hr"), None, [TargetRow("优秀", at_most="20"), TargetRow("差", at_least="5%")]
    )


def test_the_distribution_against_the_target_by_hand(co: Company) -> None:
    _everyone_with_hr_and_two_excellent(co)
    found = distribution.of_cycle(Cycle.objects.get())
    company = {s.grade: s for s in found.company.shares}
    # 优秀 2 of 8 = 25% > 20% (above); 合格 6 of 8 = 75% (no target); 差 0 of 8 = 0% < 5% (below)
    assert [(g, s.count, s.percent, s.outside) for g, s in company.items()] == [
        ("优秀", 2, Decimal(25), "above"),
        ("合格", 6, Decimal(75), None),
        ("差", 0, Decimal(0), "below"),
    ]
    assert sorted(co.review(c).pk for c in ("E01", "E02")) == sorted(company["优秀"].reviews)
    # counted by the database (what publishing checks), the figures are the same
    counted = distribution.of_cycle(Cycle.objects.get(), with_reviews=False)
    assert counted.figures_all() == found.figures_all() and counted.company.shares[0].reviews == ()
    ops = found.of_department(Department.objects.get(name="运营部").pk)
    assert ops is not None and not ops.own_targets
    # 运营部 (M01, E01, E02): 优秀 2 of 3 = 66.66…% > 20%
    assert [(s.grade, s.count, s.total) for s in ops.outside] == [("优秀", 2, 3), ("差", 0, 3)]
    # 客服部 (P01): 合格 1 of 1; held to the company's targets it is outside (优秀 0% is fine, 差 0% < 5%),
    # held to its own (合格 at most 100%) it is inside
    kefu = Department.objects.get(name="客服部")
    assert [s.grade for s in (found.of_department(kefu.pk) or ops).outside] == ["差"]
    targets.set_targets(co.user("hr"), kefu, [TargetRow("合格", at_most="100")])
    service = distribution.of_cycle(Cycle.objects.get()).of_department(kefu.pk)
    assert service is not None and service.own_targets and service.outside == ()


def test_publishing_outside_the_target_warns_with_the_figures_until_the_gm_confirms(co: Company) -> None:
    _everyone_with_hr_and_two_excellent(co)
    for code in EVERYONE:
        advance(co, code, S.PENDING_GM)
    cycle = Cycle.objects.get()
    with pytest.raises(publishing.OutsideTarget) as raised:
        approve_all(co.user("gm"), cycle)
    message = str(raised.value)
    assert "全公司 优秀 2/8 = 25.0%（目标至多 20%）" in message
    assert "全公司 差 0/8 = 0.0%（目标至少 5%）" in message
    assert not Review.objects.filter(status=S.PUBLISHED).exists()  # a warning: nothing published
    with pytest.raises(ActionRefused):
        publishing.confirm(co.user("hr"), cycle)  # the GM confirms
    confirmation = publishing.confirm(co.user("gm"), cycle, "旺季，按部门实际表现发布")
    approved = approve_all(co.user("gm"), cycle)
    assert len(approved) == 7  # the GM's own review waits for the other GM (回避)
    entry = AuditEntry.objects.filter(action="review.approve", object_id=str(co.review("E01").pk)).get()
    assert entry.after["distribution_confirmed"] == confirmation.pk
    confirmed = AuditEntry.objects.filter(action="calibration.confirm").get()
    assert (confirmed.actor, confirmed.reason) == ("gm", "旺季，按部门实际表现发布")


def test_figures_that_change_after_the_confirmation_need_a_new_one(co: Company) -> None:
    _everyone_with_hr_and_two_excellent(co)
    publishing.confirm(co.user("gm"), Cycle.objects.get())
    adjust.calibrate(co.user("hr"), co.review("P01"), "优秀", "客户表扬信")  # 优秀 3 of 8 now
    review = advance(co, "P01", S.PENDING_GM)
    with pytest.raises(publishing.OutsideTarget, match=re.escape("优秀 3/8 = 37.5%")):
        perform(co.user("gm"), review, "approve")


def test_inside_the_target_or_without_one_nothing_is_asked(co: Company) -> None:
    review = advance(co, "E01", S.PENDING_GM)
    targets.set_targets(co.user("hr"), None, [TargetRow("合格", at_most="100")])
    assert perform(co.user("gm"), review, "approve").status == S.PUBLISHED


def test_targets_are_checked_before_anything_is_written(co: Company) -> None:
    targets.set_targets(co.user("hr"), None, [TargetRow("优秀", at_most="20")])
    for rows, code in (
        ([TargetRow("优秀", at_most="120")], "bad_percent"),
        ([TargetRow("优秀", at_most="二十")], "bad_percent"),
        ([TargetRow("差", at_most="5", at_least="10")], "bounds_crossed"),
        ([TargetRow("优秀", at_most="20"), TargetRow("优秀", at_least="1")], "duplicate_grade"),
    ):
        with pytest.raises(WorkflowError) as raised:
            targets.set_targets(co.user("hr"), None, rows)
        assert raised.value.code == code
    assert [(t.grade, t.at_most) for t in targets.targets_of(None).values()] == [("优秀", Decimal("20.00"))]
    with pytest.raises(ActionRefused):
        targets.set_targets(co.user("gm"), None, [])
