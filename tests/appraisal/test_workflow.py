"""The review workflow of the spec, step by step, through `workflow.perform`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from appraisal.workflow_company import Company, advance, build_company, open_month, recompute_month
from shopkpi.appraisal import audit
from shopkpi.appraisal.models import AuditEntry, Interview, Override, Rating, Review, Transition
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews.workflow import StaleReview, WorkflowError, perform

pytestmark = pytest.mark.django_db
S = Review.Status


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    company = build_company(monkeypatch)
    open_month(company)
    return company


def test_happy_path_from_pending_self_to_acknowledged_with_every_step_in_the_audit_log(co: Company) -> None:
    e01, m01, hr, gm = co.user("e01"), co.user("m01"), co.user("hr"), co.user("gm")
    review = co.review("E01")
    assert review.status == S.PENDING_SELF
    assert review.evaluator == co.employees["M01"]

    review = perform(e01, review, "save_self", ratings={"attitude": "优"}, self_assessment="本月完成九成五")
    review = perform(e01, review, "submit_self")
    assert review.status == S.PENDING_SUPERVISOR and review.submitted_self_at is not None
    review = perform(m01, review, "rate", ratings={"attitude": "良"}, comment="认真负责")
    review = perform(
        m01,
        review,
        "record_interview",
        held_on=dt.date(2026, 10, 5),
        strengths="执行力强",
        improvements="数据分析",
        plan="学习生意参谋",
        employee_response="同意",
    )
    review = perform(m01, review, "submit_supervisor")
    review = perform(hr, review, "submit_hr")
    assert review.values_frozen_at is not None
    review = perform(gm, review, "approve", reason="同意")
    assert review.status == S.PUBLISHED
    review = perform(e01, review, "acknowledge")
    assert review.status == S.ACKNOWLEDGED and review.acknowledged_at is not None

    # 销售完成率 95000 / 100000 = 95% → band [80%, 100%) → 80; 60 × 80 / 100 = 48
    # 工作态度 良 = 80; 40 × 80 / 100 = 32;  score 48 + 32 = 80.0 → 合格
    # pay 6000 × 10% × 80 / 100 = 480.00
    assert review.score == Decimal("80.0")
    assert review.grade == "合格"
    assert review.pay == Decimal("480.00")
    assert review.version == 9  # 1 at creation + 8 steps

    steps = [
        (t.action, t.from_status, t.to_status, t.actor.username)
        for t in Transition.objects.filter(review=review)
    ]
    assert steps == [
        ("open", "", S.PENDING_SELF, "hr"),
        ("save_self", S.PENDING_SELF, S.PENDING_SELF, "e01"),
        ("submit_self", S.PENDING_SELF, S.PENDING_SUPERVISOR, "e01"),
        ("rate", S.PENDING_SUPERVISOR, S.PENDING_SUPERVISOR, "m01"),
        ("record_interview", S.PENDING_SUPERVISOR, S.PENDING_SUPERVISOR, "m01"),
        ("submit_supervisor", S.PENDING_SUPERVISOR, S.PENDING_HR, "m01"),
        ("submit_hr", S.PENDING_HR, S.PENDING_GM, "hr"),
        ("approve", S.PENDING_GM, S.PUBLISHED, "gm"),
        ("acknowledge", S.PUBLISHED, S.ACKNOWLEDGED, "e01"),
    ]
    entries = list(AuditEntry.objects.filter(object_type="review", object_id=str(review.pk)))
    assert [(e.actor, e.action) for e in entries] == [(a, f"review.{s}") for s, _, _, a in steps]
    by_action = {e.action: e for e in entries}
    assert by_action["review.approve"].reason == "同意"
    assert by_action["review.approve"].before["status"] == S.PENDING_GM
    assert by_action["review.approve"].after["status"] == S.PUBLISHED
    assert by_action["review.rate"].after["ratings"] == {"attitude": "良"}
    assert by_action["review.rate"].before["ratings"] == {"attitude": None}
    assert all(e.at is not None for e in entries)
    assert audit.verify() is None


def test_ratings_accept_level_names_and_numbers_and_refuse_anything_else(co: Company) -> None:
    review = advance(co, "E01", S.PENDING_SUPERVISOR)
    m01 = co.user("m01")
    review = perform(m01, review, "rate", ratings={"attitude": "87.5"})
    assert Rating.objects.get(review=review, rater="supervisor").value == Decimal("87.5")
    with pytest.raises(WorkflowError, match="不是指标「工作态度」的评分"):
        perform(m01, review, "rate", ratings={"attitude": "很好"})
    with pytest.raises(WorkflowError, match="超出 0–100"):
        perform(m01, review, "rate", ratings={"attitude": "120"})
    with pytest.raises(WorkflowError, match="由数据计算得出"):
        perform(m01, review, "rate", ratings={"attainment": "100"})
    with pytest.raises(WorkflowError, match="不是本考核的评分指标"):
        perform(m01, review, "rate", ratings={"nope": "100"})
    with pytest.raises(WorkflowError, match="unexpected keyword"):
        perform(m01, review, "rate", rating={"attitude": "优"})


@pytest.mark.parametrize(
    ("status", "action", "party", "back_to"),
    [
        (S.PENDING_SUPERVISOR, "return_to_self", "m01", S.PENDING_SELF),
        (S.PENDING_HR, "return_to_supervisor", "hr", S.PENDING_SUPERVISOR),
        (S.PENDING_GM, "return_to_hr", "gm", S.PENDING_HR),
    ],
)
def test_each_step_before_publication_returns_one_step_back_with_a_reason(
    co: Company, status: str, action: str, party: str, back_to: str
) -> None:
    review = advance(co, "E01", status)
    with pytest.raises(WorkflowError, match="需要填写原因"):
        perform(co.user(party), review, action, reason="  ")
    with pytest.raises(WorkflowError, match="reason"):
        perform(co.user(party), review, action)
    review = perform(co.user(party), review, action, reason="请补充说明")
    assert review.status == back_to
    last = Transition.objects.filter(review=review).last()
    assert last is not None
    assert (last.action, last.from_status, last.to_status, last.reason) == (
        action,
        status,
        back_to,
        "请补充说明",
    )
    entry = AuditEntry.objects.last()
    assert entry is not None and (entry.action, entry.reason, entry.actor) == (
        f"review.{action}",
        "请补充说明",
        party,
    )


def test_a_return_to_self_hides_the_self_review_until_it_is_submitted_again(co: Company) -> None:
    review = advance(co, "E01", S.PENDING_SUPERVISOR)
    review = perform(co.user("m01"), review, "return_to_self", reason="自评太简略")
    assert review.submitted_self_at is None
    review = perform(co.user("e01"), review, "submit_self")
    assert review.status == S.PENDING_SUPERVISOR


def test_the_supervisor_cannot_send_the_review_to_hr_without_an_interview(co: Company) -> None:
    review = advance(co, "E01", S.PENDING_SUPERVISOR)
    m01 = co.user("m01")
    review = perform(m01, review, "rate", ratings={"attitude": "优"})
    with pytest.raises(WorkflowError, match="面谈"):
        perform(m01, review, "submit_supervisor")
    with pytest.raises(WorkflowError, match="面谈表还缺：优点"):
        perform(
            m01, review, "record_interview", held_on="2026-10-05", strengths="", improvements="a", plan="b"
        )
    with pytest.raises(WorkflowError, match="必须是日期"):
        perform(m01, review, "record_interview", held_on="10月5日", strengths="a", improvements="b", plan="c")
    review = perform(
        m01, review, "record_interview", held_on="2026-10-05", strengths="a", improvements="b", plan="c"
    )
    assert Interview.objects.get(review=review).held_on == dt.date(2026, 10, 5)
    review = perform(m01, review, "submit_supervisor")
    assert review.status == S.PENDING_HR


def test_every_rated_item_needs_the_supervisors_rating_before_hr(co: Company) -> None:
    review = advance(co, "E01", S.PENDING_SUPERVISOR)
    m01 = co.user("m01")
    review = perform(
        m01, review, "record_interview", held_on="2026-10-05", strengths="a", improvements="b", plan="c"
    )
    with pytest.raises(WorkflowError, match="尚未评分：「工作态度」"):
        perform(m01, review, "submit_supervisor")


def test_an_incomplete_review_stays_with_hr_until_hr_overrides_the_missing_value_with_a_reason(
    co: Company,
) -> None:
    co.shop.gmv["E01"] = None  # no shop data for E01 this month
    recompute_month()
    review = advance(co, "E01", S.PENDING_HR)
    hr = co.user("hr")
    assert review.missing == ["attainment"]
    assert review.result["missing_values"] == ["gmv"]
    with pytest.raises(WorkflowError, match=r"考核不完整（缺：「销售完成率」）.*缺失的数值：gmv"):
        perform(hr, review, "submit_hr")
    with pytest.raises(WorkflowError, match="需要写明原因"):
        perform(hr, review, "override", name="gmv", value="90000", reason="")
    with pytest.raises(WorkflowError, match="不是本考核表的数值"):
        perform(hr, review, "override", name="uv", value="1", reason="x")
    review = perform(
        hr, review, "override", name="gmv", value="90000", reason="店铺后台导出缺失，按财务对账单"
    )
    # 90000 / 100000 = 90% → 80 → 48;  良 → 32;  score 80.0
    assert review.missing == []
    assert review.score == Decimal("80.0")
    item = next(i for i in review.result["items"] if i["key"] == "attainment")
    # the explanation reads the corrected value; the correction itself is kept beside it
    assert item["explanation"]["inputs"][0] == {"name": "gmv", "value": "90000"}
    mark = item["overrides"][0]
    assert (mark["name"], mark["previous"], mark["value"]) == ("gmv", "", "90000")
    assert (mark["reason"], mark["by"]) == ("店铺后台导出缺失，按财务对账单", "hr")
    assert Override.objects.get(review=review).previous == ""
    review = perform(hr, review, "submit_hr")
    assert review.status == S.PENDING_GM


def test_overrides_replace_computed_values_and_the_last_one_wins(co: Company) -> None:
    review = advance(co, "E01", S.PENDING_HR)
    hr = co.user("hr")
    review = perform(hr, review, "override", name="gmv", value="100000", reason="补录退款")
    review = perform(hr, review, "override", name="gmv", value="70000", reason="更正：扣除刷单")
    # 70000 / 100000 = 70% → band < 80% → 0;  0 + 32 = 32.0 → 差
    assert review.score == Decimal("32.0") and review.grade == "差"
    assert [o.previous for o in Override.objects.filter(review=review).order_by("id")] == ["95000", "100000"]
    entry = AuditEntry.objects.filter(action="review.override").last()
    assert entry is not None
    assert (entry.before["value"], entry.after["value"], entry.reason) == (
        "100000",
        "70000",
        "更正：扣除刷单",
    )


def test_values_are_recomputed_from_shop_data_until_hr_review_and_frozen_after(co: Company) -> None:
    review = advance(co, "E01", S.PENDING_HR)
    assert review.provenance["gmv"].startswith("店铺数据")
    assert review.provenance["目标销售额"] == "目标 targets.csv"
    co.shop.gmv["E01"] = Decimal(100000)  # a late import
    calls = co.shop.calls
    review = perform(co.user("hr"), review, "override", name="目标销售额", value="100000", reason="按计划")
    assert co.shop.calls == calls  # a step re-scores what the review stores: no look-up in the shop data
    assert review.values["gmv"] == "95000"
    recompute_month()  # once for everyone, as HR's recompute or the import itself does
    review = co.review("E01")
    assert review.values["gmv"] == "100000"
    # 100000 / 100000 = 100% → 100 → 60;  + 32 = 92.0
    assert review.score == Decimal("92.0")
    review = perform(co.user("hr"), review, "submit_hr")
    co.shop.gmv["E01"] = Decimal(50000)  # data changing after HR's review changes nothing
    recompute_month()
    review = co.review("E01")
    assert review.values["gmv"] == "100000"
    assert review.score == Decimal("92.0")


@pytest.mark.parametrize(
    ("code", "status", "user", "action", "data", "message"),
    [
        # HR's own review: the HR step must be done by another HR user
        ("H01", S.PENDING_HR, "hr", "override", {"name": "gmv", "value": "1", "reason": "x"}, "回避"),
        ("H01", S.PENDING_HR, "hr", "submit_hr", {}, "回避"),
        # the GM's own review: another GM approves it
        ("G01", S.PENDING_GM, "gm", "approve", {}, "回避"),
        ("G01", S.PENDING_GM, "gm", "return_to_hr", {"reason": "x"}, "回避"),
        # the employee never takes the evaluator's, HR's or GM's step on their own review
        ("E01", S.PENDING_SUPERVISOR, "e01", "rate", {"ratings": {"attitude": "优"}}, "回避"),
        # nor does anyone who is not the evaluator, HR or the GM
        ("E01", S.PENDING_SUPERVISOR, "e02", "rate", {"ratings": {"attitude": "优"}}, "只有考评负责人"),
        # the supervisor's own supervisor (G01, also the GM) does not rate for M01
        ("E01", S.PENDING_SUPERVISOR, "gm", "rate", {"ratings": {"attitude": "优"}}, "只有考评负责人"),
        ("E01", S.PENDING_HR, "m01", "submit_hr", {}, "只有人事"),
        ("E01", S.PENDING_GM, "hr", "approve", {}, "只有总经理"),
        # a peer or the supervisor cannot act for the employee
        ("E01", S.PENDING_SELF, "e02", "save_self", {"self_assessment": "x"}, "只有本人"),
        ("E01", S.PUBLISHED, "m01", "acknowledge", {}, "只有本人"),
        # a step out of its status
        ("E01", S.PENDING_SELF, "hr", "submit_hr", {}, "考核当前处于「待自评」，不能人事核准"),
    ],
)
def test_recusal_and_roles_are_refused_through_perform(
    co: Company, code: str, status: str, user: str, action: str, data: dict[str, object], message: str
) -> None:
    review = advance(co, code, status)
    before = (review.status, review.version, Transition.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ActionRefused, match=message):
        perform(co.user(user), review, action, **data)
    review.refresh_from_db()
    assert (review.status, review.version, Transition.objects.count(), AuditEntry.objects.count()) == before


def test_the_recused_step_is_done_by_another_hr_or_gm_user(co: Company) -> None:
    h01 = advance(co, "H01", S.PENDING_HR)
    assert h01.evaluator == co.employees["G01"]
    h01 = perform(co.user("hr2"), h01, "submit_hr")
    g01 = advance(co, "G01", S.PENDING_GM)
    assert g01.evaluator == co.employees["G02"]  # no supervisor: another GM evaluates
    g01 = perform(co.user("vgm"), g01, "approve")
    assert (h01.status, g01.status) == (S.PENDING_GM, S.PUBLISHED)


def test_a_later_save_on_an_old_version_is_refused_naming_who_saved_when(co: Company) -> None:
    loaded_by_a = co.review("E01")
    loaded_by_b = co.review("E01")
    perform(co.user("e01"), loaded_by_a, "save_self", self_assessment="第一版")
    with pytest.raises(
        StaleReview,
        match=r"已被 e01 于 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d 保存（保存自评）（您打开的是第 1 版，现在是第 2 版）",
    ):
        perform(co.user("e01"), loaded_by_b, "save_self", self_assessment="第二版")
    with pytest.raises(StaleReview):
        perform(co.user("e01"), co.review("E01"), "save_self", self_assessment="x", expected_version=1)
    assert co.review("E01").self_assessment == "第一版"


def test_the_review_passed_in_is_refreshed_after_a_step(co: Company) -> None:
    review = co.review("E01")
    perform(co.user("e01"), review, "submit_self")
    assert (review.status, review.version) == (S.PENDING_SUPERVISOR, 2)
    perform(
        co.user("m01"), review, "rate", ratings={"attitude": "优"}
    )  # no StaleReview: same object, refreshed
    assert review.version == 3


def test_numbers_the_database_cannot_hold_are_refused_with_a_message(co: Company) -> None:
    review = advance(co, "E01", S.PENDING_HR)
    hr = co.user("hr")
    with pytest.raises(WorkflowError, match="太大"):
        perform(hr, review, "override", name="gmv", value="1e20", reason="x")
    with pytest.raises(WorkflowError, match="超过 6 位小数"):
        perform(hr, review, "override", name="gmv", value="0.0000001", reason="x")
    with pytest.raises(WorkflowError, match="有限的数字"):
        perform(hr, review, "override", name="gmv", value="NaN", reason="x")
    with pytest.raises(WorkflowError, match="太大"):
        perform(hr, review, "adjust_pay", amount=Decimal("1e10"), reason="x")
    assert Override.objects.count() == 0
