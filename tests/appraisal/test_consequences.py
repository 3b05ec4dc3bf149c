"""Consequence rules over the employee's history produce action items at approval; HR closes them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from appraisal.workflow_company import Company, advance, build_company, set_target
from shopkpi.appraisal.consequences import close_action_item
from shopkpi.appraisal.models import ActionItem, AuditEntry, Review
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.review_steps import WorkflowError
from shopkpi.appraisal.workflow import open_cycle, perform

pytestmark = pytest.mark.django_db
S = Review.Status


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    return build_company(monkeypatch)


def _month(co: Company, period: str, code: str = "E01") -> None:
    open_cycle(co.user("hr"), period, participants=[co.employees[code]])
    set_target(co.review(code, period))


def test_a_rule_that_fires_at_approval_makes_one_action_item(co: Company) -> None:
    co.shop.gmv["E01"] = Decimal(100000)
    _month(co, "2026-09")
    review = advance(co, "E01", S.PENDING_GM)
    # 100000 / 100000 = 100% → 100 → 60;  良 → 32;  92.0 ≥ 90 → 表扬 (one month is enough)
    assert review.score == Decimal("92.0")
    assert not ActionItem.objects.exists()  # nothing before approval
    review = perform(co.user("gm"), review, "approve")
    item = ActionItem.objects.get()
    assert (item.action, item.employee.code, item.cycle.period, item.review, item.status) == (
        "表扬",
        "E01",
        "2026-09",
        review,
        "open",
    )
    entry = AuditEntry.objects.filter(action="action_item.create").get()
    assert (entry.actor, entry.after["action"]) == ("gm", "表扬")
    # an amended appeal approved again adds no second item for the same rule
    review = perform(co.user("e01"), review, "appeal", items=[{"item_key": "attitude", "reason": "x"}])
    review = perform(co.user("hr"), review, "decide_appeal", outcome="amended", note="复核")
    perform(co.user("gm"), review, "approve")
    assert ActionItem.objects.count() == 1


def test_consecutive_rules_read_the_employees_earlier_published_results(co: Company) -> None:
    co.shop.gmv["E01"] = Decimal(70000)
    # 70000 / 100000 = 70% → band < 80% → 0;  差 = 40 → 40 × 40 / 100 = 16;  16.0 → 差
    _month(co, "2026-08")
    august = advance(co, "E01", S.ACKNOWLEDGED, period="2026-08", rating="差")
    assert (august.score, august.grade) == (Decimal("16.0"), "差")
    assert not ActionItem.objects.exists()  # one month 差: no rule yet
    _month(co, "2026-09")
    september = advance(co, "E01", S.PUBLISHED, period="2026-09", rating="差")
    assert [i.action for i in ActionItem.objects.filter(review=september)] == ["警告"]  # two months 差 → 警告
    assert september.result["actions"] == ["警告"]


def test_hr_closes_an_action_item_with_a_note(co: Company) -> None:
    co.shop.gmv["E01"] = Decimal(100000)
    co.shop.gmv["H01"] = Decimal(100000)
    _month(co, "2026-09")
    advance(co, "E01", S.PUBLISHED)
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
    advance(co, "H01", S.PUBLISHED)
    item = ActionItem.objects.get()
    with pytest.raises(ActionRefused, match="回避"):
        close_action_item(co.user("hr"), item, "自己处理")
    assert close_action_item(co.user("hr2"), item, "已表扬").status == "closed"
