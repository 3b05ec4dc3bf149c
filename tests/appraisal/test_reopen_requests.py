"""Reopen requests (appraisal/reviews/reopen_requests.py): HR asks with a reason, another person holding the GM
role confirms or declines with a reason; one request waits per cycle; every step is in the audit log."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from appraisal.workflow_company import PERIOD, Company, advance, build_company, open_month
from shopkpi.appraisal import audit
from shopkpi.appraisal.models import AuditEntry, Cycle, ReopenRequest, Review, ReviewSnapshot
from shopkpi.appraisal.periods.cycles import archive_cycle
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews.reopen_requests import (
    confirm_reopen,
    decline_reopen,
    pending_request,
    pending_requests,
    request_reopen,
)
from shopkpi.appraisal.reviews.review_steps import WorkflowError

pytestmark = pytest.mark.django_db
S = Review.Status
ALL = ("E01", "E02", "G01", "G02", "H01", "H02", "M01", "P01")


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    return build_company(monkeypatch)


def _archived(co: Company) -> Cycle:
    open_month(co)
    for code in ALL:
        advance(co, code, S.ACKNOWLEDGED)
    return archive_cycle(co.user("hr"), Cycle.objects.get(period=PERIOD))


def _actions() -> list[tuple[str, str, str]]:
    return list(
        AuditEntry.objects.filter(action__startswith="cycle.reopen").values_list("action", "actor", "reason")
    )


def test_hr_asks_with_a_reason_and_the_gm_confirms(co: Company) -> None:
    cycle = _archived(co)
    made = request_reopen(co.user("hr"), cycle, "  E01 的目标录错  ")
    assert (made.status, made.reason, made.requested_by.username) == ("pending", "E01 的目标录错", "hr")
    assert Cycle.objects.get().status == Cycle.Status.ARCHIVED  # nothing reopens before the GM confirms
    assert pending_request(cycle) == made and list(pending_requests()) == [PERIOD]

    reopened = confirm_reopen(co.user("gm"), cycle)

    assert reopened.status == Cycle.Status.OPEN
    assert set(Review.objects.values_list("status", flat=True)) == {S.PENDING_HR}
    assert ReviewSnapshot.objects.count() == len(ALL)  # each review's earlier version kept
    made.refresh_from_db()
    assert (made.status, made.decided_by.username) == ("confirmed", "gm")
    assert made.decided_at is not None
    assert pending_requests() == {}
    # the request and the reopening itself are in the log; the reopening by HR, approved by the GM
    assert _actions() == [
        ("cycle.reopen_request", "hr", "E01 的目标录错"),
        ("cycle.reopen", "hr", "E01 的目标录错"),
    ]
    assert AuditEntry.objects.get(action="cycle.reopen").after["approved_by"] == "gm"
    assert audit.verify() is None


def test_a_request_needs_hr_an_archived_cycle_and_a_reason(co: Company) -> None:
    open_month(co)
    cycle = Cycle.objects.get()
    with pytest.raises(ActionRefused, match="只有人事"):
        request_reopen(co.user("gm"), cycle, "复核")
    with pytest.raises(ActionRefused, match="只有人事"):
        request_reopen(co.user("e01"), cycle, "复核")
    with pytest.raises(WorkflowError, match="未归档"):
        request_reopen(co.user("hr"), cycle, "复核")
    for code in ALL:
        advance(co, code, S.ACKNOWLEDGED)
    cycle = archive_cycle(co.user("hr"), cycle)
    with pytest.raises(WorkflowError, match="原因"):
        request_reopen(co.user("hr"), cycle, " \n ")
    assert ReopenRequest.objects.count() == 0 and _actions() == []


def test_one_request_waits_at_a_time(co: Company) -> None:
    cycle = _archived(co)
    request_reopen(co.user("hr"), cycle, "E01 的目标录错")
    with pytest.raises(WorkflowError, match="已有待总经理确认"):
        request_reopen(co.user("hr2"), cycle, "另一个原因")
    assert ReopenRequest.objects.count() == 1
    # once declined, HR may ask again
    decline_reopen(co.user("gm"), cycle, "证据不足")
    again = request_reopen(co.user("hr2"), cycle, "补充了对账单")
    assert pending_request(cycle) == again


def test_whoever_asked_cannot_confirm(co: Company) -> None:
    cycle = _archived(co)
    both = co.user("hr2")
    both.groups.add(Group.objects.get(name="gm"))  # an HR officer who also holds the GM role
    request_reopen(co.user("hr2"), cycle, "复核")
    with pytest.raises(ActionRefused, match="两个人"):
        confirm_reopen(co.user("hr2"), cycle)
    assert Cycle.objects.get().status == Cycle.Status.ARCHIVED
    assert pending_request(cycle) is not None  # still waiting for another GM
    assert confirm_reopen(co.user("vgm"), cycle).status == Cycle.Status.OPEN


def test_only_a_gm_decides(co: Company) -> None:
    cycle = _archived(co)
    request_reopen(co.user("hr"), cycle, "复核")
    for who in ("hr", "hr2", "m01"):
        with pytest.raises(ActionRefused, match="只有总经理"):
            confirm_reopen(co.user(who), cycle)
        with pytest.raises(ActionRefused, match="只有总经理"):
            decline_reopen(co.user(who), cycle, "不同意")
    assert pending_request(cycle) is not None and Cycle.objects.get().status == Cycle.Status.ARCHIVED


def test_the_gm_declines_with_a_reason(co: Company) -> None:
    cycle = _archived(co)
    made = request_reopen(co.user("hr"), cycle, "复核")
    with pytest.raises(WorkflowError, match="原因"):
        decline_reopen(co.user("gm"), cycle, "")
    assert pending_request(cycle) == made
    decline_reopen(co.user("gm"), cycle, "无需重开")
    made.refresh_from_db()
    assert (made.status, made.decided_by.username, made.decision_reason) == ("declined", "gm", "无需重开")
    assert Cycle.objects.get().status == Cycle.Status.ARCHIVED
    entry = AuditEntry.objects.get(action="cycle.reopen_decline")
    assert (entry.actor, entry.reason, entry.object_id) == ("gm", "无需重开", PERIOD)
    assert entry.before == {"request": made.pk, "requested_by": "hr", "request_reason": "复核"}
    # nothing waits any more: neither a confirmation nor a second decline
    with pytest.raises(WorkflowError, match="没有待确认"):
        confirm_reopen(co.user("gm"), cycle)
    with pytest.raises(WorkflowError, match="没有待确认"):
        decline_reopen(co.user("gm"), cycle, "再驳回")


def test_a_requester_who_left_hr_cannot_be_the_reopening_hr_user(co: Company) -> None:
    cycle = _archived(co)
    request_reopen(co.user("hr2"), cycle, "复核")
    left = co.user("hr2")
    left.groups.clear()
    with pytest.raises(WorkflowError, match="请人事重新申请"):
        confirm_reopen(co.user("gm"), cycle)
    assert Cycle.objects.get().status == Cycle.Status.ARCHIVED


def test_a_failed_confirmation_changes_nothing(co: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    cycle = _archived(co)
    request_reopen(co.user("hr"), cycle, "复核")

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ReopenRequest, "save", crash)  # fails after the cycle was reopened
    with pytest.raises(RuntimeError):
        confirm_reopen(co.user("gm"), cycle)
    assert Cycle.objects.get().status == Cycle.Status.ARCHIVED
    assert pending_request(cycle) is not None
    assert not AuditEntry.objects.filter(action="cycle.reopen").exists()
    assert ReviewSnapshot.objects.count() == 0


def test_the_migration_carries_requests_over_from_the_audit_log(co: Company) -> None:
    """Before 0003 a request was only an audit entry; the upgrade replays the entries into records."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("shopkpi.appraisal.migrations.0003_reopen_requests")
    cycle = _archived(co)
    log = {"object_type": "cycle", "object_id": PERIOD}
    audit.record("hr", "cycle.reopen_request", reason="第一次", **log)
    audit.record("gm", "cycle.reopen_decline", reason="证据不足", **log)
    audit.record("hr2", "cycle.reopen_request", reason="第二次", **log)
    audit.record("hr", "cycle.reopen_request", reason="已有一个在等，不算", **log)

    migration.requests_from_the_audit_log(apps, None)

    rows = list(
        ReopenRequest.objects.order_by("id").values_list(
            "reason", "status", "requested_by__username", "decided_by__username", "decision_reason"
        )
    )
    assert rows == [
        ("第一次", "declined", "hr", "gm", "证据不足"),
        ("第二次", "pending", "hr2", None, ""),
    ]
    first = ReopenRequest.objects.order_by("id").first()
    assert first is not None
    assert first.requested_at == AuditEntry.objects.get(reason="第一次").at
    assert pending_request(cycle) is not None and pending_request(cycle).reason == "第二次"  # type: ignore[union-attr]
    confirm_reopen(co.user("gm"), cycle)  # the carried-over request is decided like any other
    assert Cycle.objects.get().status == Cycle.Status.OPEN
