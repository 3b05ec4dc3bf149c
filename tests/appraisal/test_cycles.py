"""Opening a cycle (participants, evaluators, frozen templates, deadlines), archiving and reopening it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from appraisal.workflow_company import (
    PERIOD,
    TEMPLATE,
    Company,
    advance,
    build_company,
    open_month,
    set_target,
)
from shopkpi.appraisal.models import (
    AuditEntry,
    Cycle,
    CycleTemplate,
    Employee,
    Position,
    Review,
    ReviewSnapshot,
    TemplateVersion,
    Transition,
)
from shopkpi.appraisal.periods import cycles
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews.workflow import WorkflowError, archive_cycle, open_cycle, perform, reopen_cycle
from shopkpi.scorecard import builtin_template_dir

pytestmark = pytest.mark.django_db
S = Review.Status
ALL = ("E01", "E02", "G01", "G02", "H01", "H02", "M01", "P01")


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    return build_company(monkeypatch)


def _hire(co: Company, code: str, hired: dt.date | None = None, left: dt.date | None = None) -> Employee:
    e01 = co.employees["E01"]
    return Employee.objects.create(
        code=code,
        name=code,
        department=e01.department,
        position=e01.position,
        supervisor=co.employees["M01"],
        base_salary=Decimal(6000),
        hired_on=hired,
        left_on=left,
        user=User.objects.create_user(code.lower(), password="x"),
    )


# ---- opening ---------------------------------------------------------------------------------


def test_participants_are_the_employees_active_in_the_period(co: Company) -> None:
    _hire(co, "N15", hired=dt.date(2026, 9, 15))  # hired on the cut-off day: this cycle
    _hire(co, "N16", hired=dt.date(2026, 9, 16))  # after the cut-off day: from the next cycle
    _hire(co, "N10", hired=dt.date(2026, 10, 1))  # not yet hired
    _hire(co, "L08", left=dt.date(2026, 8, 31))  # gone before the period
    _hire(co, "L09", left=dt.date(2026, 9, 10))  # left during the period: still appraised
    cycle = open_cycle(co.user("hr"), PERIOD)
    codes = sorted(cycle.reviews.values_list("employee__code", flat=True))
    assert codes == sorted([*ALL, "N15", "L09"])
    october = open_cycle(co.user("hr"), "2026-10")
    assert "N16" in october.reviews.values_list("employee__code", flat=True)
    assert "L09" not in october.reviews.values_list("employee__code", flat=True)


def test_the_cut_off_day_is_the_cycles(co: Company) -> None:
    _hire(co, "N12", hired=dt.date(2026, 9, 12))
    cycle = open_cycle(co.user("hr"), PERIOD, cutoff_day=10)
    assert cycle.cutoff_day == 10
    assert not cycle.reviews.filter(employee__code="N12").exists()


def test_pay_for_a_partial_month_is_prorated_by_calendar_days(co: Company) -> None:
    _hire(co, "L09", left=dt.date(2026, 9, 10))
    co.shop.gmv["L09"] = Decimal(95000)
    open_month(co)
    review = advance(co, "L09", S.PENDING_HR)
    # score 80.0 (95% → 48, 良 → 32); full pay 6000 × 10% × 80 / 100 = 480.00;
    # worked 1..10 September = 10 of 30 days: 480 × 10 / 30 = 160.00
    assert review.score == Decimal("80.0")
    assert review.pay == Decimal("160.00")
    assert review.result["engine_pay"] == "480"
    assert review.result["proration"]["explanation"] == "按出勤天数折算：480.00 × 10 / 30 = 160.00"
    assert advance(co, "E01", S.PENDING_HR).pay == Decimal("480.00")  # a whole month: not prorated


def test_explicit_participants(co: Company) -> None:
    cycle = open_cycle(co.user("hr"), PERIOD, participants=[co.employees["E01"], co.employees["E02"]])
    assert sorted(cycle.reviews.values_list("employee__code", flat=True)) == ["E01", "E02"]


def test_evaluators_are_supervisors_or_another_gm_or_hr_where_there_is_a_single_gm(co: Company) -> None:
    Employee.objects.filter(code="P01").update(supervisor=None)  # a department head without a supervisor
    open_cycle(co.user("hr"), PERIOD)
    evaluators = {
        r.employee.code: r.evaluator.code for r in Review.objects.select_related("employee", "evaluator")
    }
    assert evaluators == {
        "E01": "M01",
        "E02": "M01",
        "M01": "G01",
        "H01": "G01",
        "H02": "H01",
        "G02": "G01",
        "G01": "G02",  # no supervisor: another GM
        "P01": "G01",  # no supervisor: a GM
    }


def test_with_a_single_gm_hr_evaluates_the_gm(co: Company) -> None:
    co.users["vgm"].groups.remove(Group.objects.get(name="gm"))
    open_cycle(co.user("hr"), PERIOD)
    assert co.review("G01").evaluator == co.employees["H01"]


def test_nobody_to_evaluate_someone_without_a_supervisor_is_refused(co: Company) -> None:
    for name in ("vgm", "gm"):
        co.users[name].groups.clear()
    Employee.objects.filter(user__groups__name="hr").update(user=None)
    with pytest.raises(WorkflowError, match="G01 高总 没有直接上级"):
        open_cycle(co.user("hr"), PERIOD)
    assert not Cycle.objects.exists()


def test_only_hr_opens_a_cycle_once_per_period(co: Company) -> None:
    with pytest.raises(ActionRefused, match="只有人事"):
        open_cycle(co.user("gm"), PERIOD)
    with pytest.raises(WorkflowError, match="不是考核期"):
        open_cycle(co.user("hr"), "2026-13")
    open_cycle(co.user("hr"), PERIOD)
    with pytest.raises(WorkflowError, match="已经开启过"):
        open_cycle(co.user("hr"), PERIOD)


def test_opening_writes_a_transition_per_review_and_an_audit_entry(co: Company) -> None:
    cycle = open_cycle(co.user("hr"), PERIOD)
    assert Transition.objects.filter(action="open", to_status=S.PENDING_SELF).count() == len(ALL)
    entry = AuditEntry.objects.filter(action="cycle.open").get()
    assert entry.actor == "hr" and entry.object_id == PERIOD
    assert entry.after["participants"] == sorted(ALL)
    assert entry.after["templates"] == ["t-sales v1"]
    assert cycle.opened_by == co.users["hr"]


def test_deadlines_move_to_the_next_working_day(co: Company) -> None:
    cycle = open_cycle(co.user("hr"), PERIOD)
    # 2026 National Day: 1–7 October off, Saturday 10 October a make-up working day (调休)
    assert cycle.self_due == dt.date(2026, 10, 8)  # the 3rd is a holiday → Thursday the 8th
    assert cycle.supervisor_due == dt.date(2026, 10, 8)  # the 7th is a holiday → the 8th
    assert cycle.hr_due == dt.date(2026, 10, 10)  # a Saturday, but a working day
    other = open_cycle(co.user("hr"), "2026-10", deadlines={"hr_due": dt.date(2026, 11, 12)})
    assert (other.self_due, other.hr_due) == (dt.date(2026, 11, 3), dt.date(2026, 11, 12))


# ---- templates -------------------------------------------------------------------------------


def test_the_first_use_of_a_built_in_template_saves_it_as_version_1(co: Company) -> None:
    position = Position.objects.create(name="运营", template_id="s001-operations")
    Employee.objects.filter(code="E02").update(position=position)
    cycle = open_cycle(co.user("hr"), PERIOD)
    version = TemplateVersion.objects.get(template_id="s001-operations")
    assert version.version == 1
    assert version.text == (builtin_template_dir() / "s001-operations.yaml").read_text("utf-8")
    assert CycleTemplate.objects.get(cycle=cycle, position=position).template_version == version
    assert co.review("E02").template_version == version


def test_a_template_without_a_version_or_a_built_in_file_is_refused(co: Company) -> None:
    Position.objects.filter(name="运营专员").update(template_id="no-such-template")
    TemplateVersion.objects.all()  # t-sales v1 exists but the position now names another id
    with pytest.raises(WorkflowError, match="no-such-template"):
        open_cycle(co.user("hr"), PERIOD)


def test_template_edits_make_new_versions_and_never_change_an_open_cycles(co: Company) -> None:
    open_month(co)
    edited = TEMPLATE.replace("weight: 60%", "weight: 70%").replace("weight: 40%", "weight: 30%")
    v2 = cycles.new_template_version(co.user("hr"), "t-sales", edited)
    assert v2.version == 2
    review = advance(co, "E01", S.PENDING_HR)
    assert review.template_version.version == 1
    assert review.score == Decimal("80.0")  # still 60/40: 48 + 32
    october = open_cycle(co.user("hr"), "2026-10")
    assert {r.template_version.version for r in october.reviews.all()} == {2}
    review = co.review("E01", "2026-10")
    set_target(review)
    review = advance(co, "E01", S.PENDING_HR, period="2026-10")
    # 70 × 80 / 100 = 56;  30 × 80 / 100 = 24;  80.0 — the same score, different items' points
    points = {i["key"]: i["points"] for i in review.result["items"]}
    assert points == {"attainment": "56", "attitude": "24"}
    with pytest.raises(WorkflowError, match="模板的 id 是“t-sales”，不是“other”"):
        cycles.new_template_version(co.user("hr"), "other", TEMPLATE)


# ---- archive ---------------------------------------------------------------------------------


def _finish(co: Company, *codes: str) -> None:
    for code in codes:
        advance(co, code, S.ACKNOWLEDGED)


def test_archive_is_refused_while_a_review_is_pending_or_in_its_appeal_window(co: Company) -> None:
    open_month(co)
    _finish(co, *[c for c in ALL if c not in ("E01", "E02")])
    advance(co, "E01", S.PUBLISHED)
    advance(co, "E02", S.PENDING_GM)
    cycle = Cycle.objects.get()
    with pytest.raises(
        WorkflowError,
        match=r"2 份考核.*E01（已发布，申诉期至 .*）、E02（待总经理批准）",
    ):
        archive_cycle(co.user("hr"), cycle)
    advance(co, "E02", S.PUBLISHED)
    with pytest.raises(WorkflowError, match="E01"):
        archive_cycle(co.user("hr"), cycle)
    # once the windows have passed, unacknowledged published reviews no longer hold the cycle open
    Review.objects.filter(status=S.PUBLISHED).update(appeal_deadline=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ActionRefused, match="只有人事"):
        archive_cycle(co.user("gm"), cycle)
    cycle = archive_cycle(co.user("hr"), cycle)
    assert cycle.status == Cycle.Status.ARCHIVED and cycle.archived_at is not None
    assert AuditEntry.objects.filter(action="cycle.archive", actor="hr").count() == 1


def test_an_appealed_review_holds_the_cycle_open(co: Company) -> None:
    open_month(co)
    _finish(co, *[c for c in ALL if c != "E01"])
    review = advance(co, "E01", S.PUBLISHED)
    perform(co.user("e01"), review, "appeal", items=[{"item_key": "attitude", "reason": "x"}])
    Review.objects.filter(pk=review.pk).update(appeal_deadline=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(WorkflowError, match="E01（申诉中）"):
        archive_cycle(co.user("hr"), Cycle.objects.get())


def test_an_archived_cycle_is_read_only(co: Company) -> None:
    open_month(co)
    _finish(co, *ALL)
    archive_cycle(co.user("hr"), Cycle.objects.get())
    review = co.review("E01")
    with pytest.raises(ActionRefused, match="已归档"):
        perform(co.user("hr"), review, "adjust_pay", amount="100", reason="x")
    with pytest.raises(WorkflowError, match="已经归档"):
        archive_cycle(co.user("hr"), Cycle.objects.get())


# ---- reopen ----------------------------------------------------------------------------------


def test_reopening_needs_hr_and_gm_two_people_and_a_reason(co: Company) -> None:
    open_month(co)
    _finish(co, *ALL)
    cycle = archive_cycle(co.user("hr"), Cycle.objects.get())
    hr, gm = co.user("hr"), co.user("gm")
    with pytest.raises(ActionRefused, match="人事"):
        reopen_cycle(gm, gm, cycle, "x")
    with pytest.raises(ActionRefused, match="总经理批准"):
        reopen_cycle(hr, co.user("hr2"), cycle, "x")
    both = co.user("hr")
    both.groups.add(Group.objects.get(name="gm"))
    both = co.user("hr")
    with pytest.raises(ActionRefused, match="两个人"):
        reopen_cycle(both, both, cycle, "x")
    with pytest.raises(WorkflowError, match="需要填写原因"):
        reopen_cycle(hr, gm, cycle, " ")
    assert Cycle.objects.get().status == Cycle.Status.ARCHIVED


def test_reopening_keeps_the_earlier_version_of_every_changed_review(co: Company) -> None:
    open_month(co)
    _finish(co, *ALL)
    cycle = archive_cycle(co.user("hr"), Cycle.objects.get())
    versions = dict(Review.objects.values_list("employee__code", "version"))
    cycle = reopen_cycle(co.user("hr"), co.user("gm"), cycle, "财务对账发现九月GMV有误")
    assert cycle.status == Cycle.Status.OPEN and cycle.archived_at is None
    for review in Review.objects.select_related("employee"):
        assert review.status == S.PENDING_HR
        assert review.acknowledged_at is None and review.appeal_deadline is None
        snapshot = ReviewSnapshot.objects.get(review=review)
        assert snapshot.version == versions[review.employee.code]
        assert snapshot.data["status"] == S.ACKNOWLEDGED
        assert Decimal(snapshot.data["score"]) == Decimal("80.0")
        assert snapshot.reason == "重新开启前的版本：财务对账发现九月GMV有误"
    entry = AuditEntry.objects.filter(action="cycle.reopen").get()
    assert (entry.actor, entry.after["approved_by"], entry.reason) == ("hr", "gm", "财务对账发现九月GMV有误")
    step = Transition.objects.filter(action="reopen").first()
    assert step is not None and (step.from_status, step.to_status) == (S.ACKNOWLEDGED, S.PENDING_HR)
    # the correction: HR overrides with a reason, the GM approves again, a new appeal window opens
    review = co.review("E01")
    assert review.values_frozen_at is not None
    review = perform(co.user("hr"), review, "override", name="gmv", value="100000", reason="对账更正")
    review = perform(co.user("hr"), review, "submit_hr")
    review = perform(co.user("gm"), review, "approve")
    assert review.score == Decimal("92.0")  # 60 + 32
    assert review.status == S.PUBLISHED and review.appeal_deadline is not None
    assert Decimal(ReviewSnapshot.objects.get(review=review).data["score"]) == Decimal("80.0")


def test_reopening_some_reviews_only(co: Company) -> None:
    open_month(co)
    _finish(co, *ALL)
    cycle = archive_cycle(co.user("hr"), Cycle.objects.get())
    reopen_cycle(co.user("hr"), co.user("gm"), cycle, "E01 申诉复核", reviews=[co.review("E01")])
    assert co.review("E01").status == S.PENDING_HR
    assert co.review("E02").status == S.ACKNOWLEDGED
    assert ReviewSnapshot.objects.count() == 1
    with pytest.raises(WorkflowError, match="只有已归档的考核期"):
        reopen_cycle(co.user("hr"), co.user("gm"), Cycle.objects.get(), "again")
