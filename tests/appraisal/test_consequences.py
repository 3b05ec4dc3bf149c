"""Consequence rules over the employee's history produce action items when a result becomes final;
a changed result withdraws them, with the reason in the audit log; HR closes them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from appraisal.workflow_company import TEMPLATE, Company, advance, build_company, set_target
from shopkpi.appraisal.models import ActionItem, AuditEntry, Cycle, Employee, Review
from shopkpi.appraisal.periods import cycles
from shopkpi.appraisal.periods.consequences import close_action_item, settle_due
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews.review_steps import WorkflowError
from shopkpi.appraisal.reviews.workflow import archive_cycle, open_cycle, perform, reopen_cycle

pytestmark = pytest.mark.django_db
S = Review.Status


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    return build_company(monkeypatch)


def _month(co: Company, period: str, code: str = "E01") -> None:
    open_cycle(co.user("hr"), period, participants=[co.employees[code]])
    set_target(co.review(code, period))


def test_an_item_is_raised_when_the_result_becomes_final_not_at_approval(co: Company) -> None:
    co.shop.gmv["E01"] = Decimal(100000)
    _month(co, "2026-09")
    review = advance(co, "E01", S.PENDING_GM)
    # 100000 / 100000 = 100% → 100 → 60;  良 → 32;  92.0 ≥ 90 → 表扬 (one month is enough)
    assert review.score == Decimal("92.0")
    review = perform(co.user("gm"), review, "approve")
    assert review.result["actions"] == ["表扬"]
    assert not ActionItem.objects.exists()  # published: the employee may still appeal
    review = perform(co.user("e01"), review, "acknowledge")
    item = ActionItem.objects.get()
    assert (item.action, item.employee.code, item.cycle.period, item.review, item.status) == (
        "表扬",
        "E01",
        "2026-09",
        review,
        "open",
    )
    assert review.final_at is not None
    entry = AuditEntry.objects.filter(action="action_item.create").get()
    assert (entry.actor, entry.after["action"]) == ("e01", "表扬")
    assert entry.reason.startswith("本人签字确认，结果确定")


def test_the_appeal_window_closing_raises_the_items(co: Company) -> None:
    co.shop.gmv["E01"] = Decimal(100000)
    _month(co, "2026-09")
    review = advance(co, "E01", S.PUBLISHED)
    assert settle_due(co.user("hr")) == 0  # the window is open
    assert not ActionItem.objects.exists()
    Review.objects.filter(pk=review.pk).update(appeal_deadline=timezone.now() - dt.timedelta(minutes=1))
    assert settle_due(co.user("hr")) == 1
    assert [i.action for i in ActionItem.objects.all()] == ["表扬"]
    assert AuditEntry.objects.get(action="action_item.create").reason.startswith("申诉期已结束")
    assert settle_due(co.user("hr")) == 0  # once only
    assert ActionItem.objects.count() == 1


def test_archiving_the_month_raises_the_items(co: Company) -> None:
    co.shop.gmv["E01"] = Decimal(100000)
    _month(co, "2026-09")
    review = advance(co, "E01", S.PUBLISHED)
    Review.objects.filter(pk=review.pk).update(appeal_deadline=timezone.now() - dt.timedelta(minutes=1))
    archive_cycle(co.user("hr"), Cycle.objects.get(period="2026-09"))
    assert [i.action for i in ActionItem.objects.all()] == ["表扬"]
    assert AuditEntry.objects.get(action="action_item.create").reason.startswith("考核期归档")


def _poor_month(co: Company, period: str, to: str = S.ACKNOWLEDGED) -> Review:
    # 70000 / 100000 = 70% → band < 80% → 0;  差 = 40 → 40 × 40 / 100 = 16;  16.0 → 差
    co.shop.gmv["E01"] = Decimal(70000)
    _month(co, period)
    return advance(co, "E01", to, period=period, rating="差")


def test_consecutive_rules_read_the_employees_earlier_published_results(co: Company) -> None:
    august = _poor_month(co, "2026-08")
    assert (august.score, august.grade) == (Decimal("16.0"), "差")
    assert not ActionItem.objects.exists()  # one month 差: no rule yet
    september = _poor_month(co, "2026-09")
    assert [i.action for i in ActionItem.objects.filter(review=september)] == ["警告"]  # two months 差 → 警告
    assert september.result["actions"] == ["警告"]


def test_an_appeal_amended_before_the_result_was_final_leaves_no_item(co: Company) -> None:
    _poor_month(co, "2026-08")
    _poor_month(co, "2026-09")  # 警告
    october = _poor_month(co, "2026-10", to=S.PUBLISHED)
    assert october.result["actions"] == []  # the run reached 2 in September: no second 警告
    october = perform(
        co.user("e01"), october, "appeal", items=[{"item_key": "attitude", "reason": "评分偏低"}]
    )
    october = perform(
        co.user("hr"),
        october,
        "decide_appeal",
        outcome="amended",
        note="复核",
        overrides=[{"name": "gmv", "value": "100000", "reason": "补计订单"}],
    )
    perform(co.user("gm"), october, "approve")
    perform(co.user("e01"), co.review("E01", "2026-10"), "acknowledge")
    # 100000 / 100000 → 60; 差 → 16; 76.0 → 合格: nothing for October
    assert co.review("E01", "2026-10").grade == "合格"
    assert [(i.cycle.period, i.action) for i in ActionItem.objects.order_by("id")] == [("2026-09", "警告")]


def test_an_amended_appeal_withdraws_the_months_action_items(co: Company) -> None:
    """A month archived with its 警告, reopened, published again, appealed and amended: the 警告 goes."""
    _poor_month(co, "2026-08")
    september = _poor_month(co, "2026-09")
    archive_cycle(co.user("hr"), Cycle.objects.get(period="2026-09"))
    item = ActionItem.objects.get(review=september)
    assert (item.action, item.status) == ("警告", "open")
    reopen_cycle(co.user("hr"), co.user("gm"), Cycle.objects.get(period="2026-09"), "核对9月订单")
    assert ActionItem.objects.get(pk=item.pk).status == "open"  # the result has not changed yet
    september = advance(co, "E01", S.PUBLISHED, period="2026-09", rating="差")
    september = perform(
        co.user("e01"), september, "appeal", items=[{"item_key": "attainment", "reason": "漏单"}]
    )
    perform(
        co.user("hr"),
        september,
        "decide_appeal",
        outcome="amended",
        note="核实漏计 30000 元",
        overrides=[{"name": "gmv", "value": "100000", "reason": "补计9月订单"}],
    )
    # 100000 / 100000 → 60; 差 → 16; 76.0 → 合格: two months 差 no more → the 警告 is withdrawn
    item.refresh_from_db()
    assert item.status == "withdrawn"
    assert "核实漏计 30000 元" in item.withdrawn_reason and item.withdrawn_at is not None
    entry = AuditEntry.objects.get(action="action_item.withdraw")
    assert (entry.actor, entry.object_id, entry.before["status"], entry.after["status"]) == (
        "hr",
        str(item.pk),
        "open",
        "withdrawn",
    )
    assert "申诉处理：核实漏计 30000 元" in entry.reason and "警告" in entry.reason
    perform(co.user("gm"), co.review("E01", "2026-09"), "approve")
    perform(co.user("e01"), co.review("E01", "2026-09"), "acknowledge")
    assert not ActionItem.objects.filter(status__in=("open", "closed")).exists()  # nothing raised again


def test_correcting_an_earlier_month_withdraws_a_later_months_item(co: Company) -> None:
    august = _poor_month(co, "2026-08")
    archive_cycle(co.user("hr"), Cycle.objects.get(period="2026-08"))
    september = _poor_month(co, "2026-09")
    warning = ActionItem.objects.get(review=september)
    reopen_cycle(co.user("hr"), co.user("gm"), Cycle.objects.get(period="2026-08"), "8月销售额有误")
    perform(co.user("hr"), co.review("E01", "2026-08"), "override", name="gmv", value="100000", reason="补录")
    # August 76.0 合格 now: September's run of 差 is 1 month, so its 警告 no longer follows
    warning.refresh_from_db()
    assert warning.status == "withdrawn"
    assert warning.withdrawn_reason.startswith("2026-08 的考核结果改变：人事修正数值：补录")
    assert august.pk != september.pk


def test_a_streak_of_five_poor_months_raises_warning_once_and_quit_once(co: Company) -> None:
    rules = "  - {when: \"grade == '差'\", consecutive: 3, action: 劝退}\n"
    cycles.new_template_version(co.user("hr"), "t-sales", TEMPLATE.replace("rules:\n", "rules:\n" + rules))
    for period in ("2026-04", "2026-05", "2026-06", "2026-07", "2026-08"):
        _poor_month(co, period)
    # 差 in each of five months: the run reaches 2 in May (警告) and 3 in June (劝退); then it only goes on
    assert [(i.cycle.period, i.action) for i in ActionItem.objects.order_by("cycle__period")] == [
        ("2026-05", "警告"),
        ("2026-06", "劝退"),
    ]


def test_hr_closes_an_action_item_with_a_note(co: Company) -> None:
    co.shop.gmv["E01"] = Decimal(100000)
    co.shop.gmv["H01"] = Decimal(100000)
    _month(co, "2026-09")
    advance(co, "E01", S.ACKNOWLEDGED)
    item = ActionItem.objects.get()
    with pytest.raises(ActionRefused, match="只有人事"):
        close_action_item(co.user("gm"), item, "已表扬")
    with pytest.raises(WorkflowError, match="处理说明"):
        close_action_item(co.user("hr"), item, " ")
    closed = close_action_item(co.user("hr"), item, "月度例会上表扬并发放奖品")
    assert (closed.status, closed.note, closed.closed_by) == (
        "closed",
        "月度例会上表扬并发放奖品",
        co.users["hr"],
    )
    assert closed.closed_at is not None
    entry = AuditEntry.objects.filter(action="action_item.close").get()
    assert (entry.actor, entry.reason, entry.after["status"]) == ("hr", "月度例会上表扬并发放奖品", "closed")
    with pytest.raises(WorkflowError, match="已经关闭"):
        close_action_item(co.user("hr"), item, "again")


def test_hr_does_not_close_an_action_item_about_themself(co: Company) -> None:
    co.shop.gmv["H01"] = Decimal(100000)
    _month(co, "2026-09", code="H01")
    advance(co, "H01", S.ACKNOWLEDGED)
    item = ActionItem.objects.get()
    with pytest.raises(ActionRefused, match="回避"):
        close_action_item(co.user("hr"), item, "自己处理")
    assert close_action_item(co.user("hr2"), item, "已表扬").status == "closed"


def test_the_daily_remind_run_raises_the_items_of_closed_appeal_windows(co: Company, settings: Any) -> None:
    from click.testing import CliRunner

    from shopkpi.cli.main import cli

    co.shop.gmv["E01"] = Decimal(100000)
    _month(co, "2026-09")
    review = advance(co, "E01", S.PUBLISHED)  # 92.0 → 表扬, as above
    Review.objects.filter(pk=review.pk).update(appeal_deadline=timezone.now() - dt.timedelta(minutes=1))
    run = CliRunner().invoke(cli, ["--home", str(settings.HOME), "remind", "--date", "2026-10-12"])
    assert run.exit_code == 0, run.output
    assert "1 results final since their appeal window closed" in run.output
    assert [i.action for i in ActionItem.objects.all()] == ["表扬"]


def _settled() -> dict[str, Any]:
    """What settling left: the reviews, the action items and the audit entries, by employee and month
    (not by row ids, which a rolled-back transaction may leave used)."""
    code = {
        r.pk: (r.employee.code, r.cycle.period) for r in Review.objects.select_related("employee", "cycle")
    }
    items = {i.pk: (*code[i.review_id], i.action) for i in ActionItem.objects.all()}
    return {
        "reviews": sorted(
            (*code[r.pk], r.status, r.version, r.result, r.final_at is not None) for r in Review.objects.all()
        ),
        "items": sorted(
            (*code[i.review_id], i.action, i.status, i.withdrawn_reason) for i in ActionItem.objects.all()
        ),
        "audit": [
            (
                e.actor,
                e.action,
                items[int(e.object_id)] if e.object_type == "action_item" else e.object_id,
                e.before,
                e.after,
                e.reason,
            )
            for e in AuditEntry.objects.order_by("id")
        ],
    }


def test_archiving_settles_every_review_as_settling_each_in_turn_does(
    co: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    """archive_cycle settles its reviews together (consequences.settle_together): the same items raised,
    results, finality and audit entries, in the same order, as `settle` on each review in turn; with a
    later month already final for one of them (archived late), which is settled again after it."""
    from django.db import transaction

    from shopkpi.appraisal.periods import consequences

    _poor_month(co, "2026-08", to=S.ACKNOWLEDGED)  # E01 差 in August
    everyone = [co.employees[c] for c in ("M01", "E01", "E02", "P01")]
    co.shop.gmv.update(M01=Decimal(100000), E01=Decimal(70000), E02=Decimal(100000))
    open_cycle(co.user("hr"), "2026-09", participants=everyone)
    for code, rating, to in (
        ("M01", "良", S.ACKNOWLEDGED),  # 92 → 表扬, raised on acknowledging
        ("E01", "差", S.PUBLISHED),  # 差 again → 警告, raised on archiving
        ("E02", "良", S.PUBLISHED),  # 表扬, raised on archiving
        ("P01", "良", S.PUBLISHED),  # 80: nothing
    ):
        set_target(co.review(code, "2026-09"))
        advance(co, code, to, period="2026-09", rating=rating)
    Review.objects.filter(cycle__period="2026-09", status=S.PUBLISHED).update(
        appeal_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    _month(co, "2026-10", "E02")
    advance(co, "E02", S.ACKNOWLEDGED, period="2026-10")  # October final before September is archived
    september = Cycle.objects.get(period="2026-09")
    with transaction.atomic():  # settling each in turn (as before), then undone
        with monkeypatch.context() as each:
            each.setattr(
                consequences,
                "settle_together",
                lambda user, reviews, reason: [consequences.settle(user, r, reason) for r in reviews],
            )
            archive_cycle(co.user("hr"), september)
        in_turn = _settled()
        transaction.set_rollback(True)
    archive_cycle(co.user("hr"), Cycle.objects.get(period="2026-09"))
    assert _settled() == in_turn
    assert sorted((*k[:2], k[2]) for k in in_turn["items"] if k[1] == "2026-09") == [
        ("E01", "2026-09", "警告"),
        ("E02", "2026-09", "表扬"),
        ("M01", "2026-09", "表扬"),
    ]


def test_archiving_costs_the_same_queries_for_20_and_80_reviews(
    co: Company, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from appraisal.test_approve_all import _at_gm, _hire
    from shopkpi.appraisal.reviews.workflow import approve_all

    _hire(co, 100)
    hired = list(Employee.objects.filter(code__startswith="X").order_by("code"))
    counts = []
    for period, people in (("2026-09", hired[:20]), ("2026-10", hired[20:])):
        co.shop.gmv.update({e.code: Decimal(100000) for e in people})  # 92: 表扬 for everyone
        open_cycle(co.user("hr"), period, participants=people)
        reviews = list(Review.objects.filter(cycle__period=period))
        for review in reviews:
            set_target(review)
        _at_gm(reviews)
        with django_capture_on_commit_callbacks(execute=True):
            approve_all(co.user("gm"), Cycle.objects.get(period=period))
        Review.objects.filter(cycle__period=period).update(
            appeal_deadline=timezone.now() - dt.timedelta(minutes=1)
        )
        with CaptureQueriesContext(connection) as queries:
            archive_cycle(co.user("hr"), Cycle.objects.get(period=period))
        sql = [q["sql"] for q in queries.captured_queries]  # the inserts too (bulk_rows.insert_all)
        counts.append((len(sql), len([q for q in sql if q.startswith("INSERT")])))
        assert ActionItem.objects.filter(cycle__period=period, action="表扬").count() == len(people)
    assert counts[0] == counts[1]
