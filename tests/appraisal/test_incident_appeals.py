"""An appeal on one incident (the `incident` kind of appeal point): the employee claims it should not
count or counts less; HR keeps it, removes it or changes the count, the month is scored again.

Seed 004's "未完成扣2分/次" item of tests/appraisal/test_incidents_feeding.py: weight 10, 2 points each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from pytest_django.fixtures import Settings

from appraisal.test_incidents_feeding import KIND, TEMPLATE
from appraisal.workflow_company import Company, advance, build_company, open_month
from shopkpi.appraisal.incidents import appeals, records
from shopkpi.appraisal.incidents.records import IncidentInput
from shopkpi.appraisal.models import Appeal, AppealPoint, AuditEntry, Incident, Position, Review
from shopkpi.appraisal.periods import cycles
from shopkpi.appraisal.reviews import appeal_points
from shopkpi.appraisal.reviews.review_scoring import recompute
from shopkpi.appraisal.reviews.review_steps import WorkflowError

pytestmark = pytest.mark.django_db
S = Review.Status


@pytest.fixture
def company(monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path) -> Company:
    settings.HOME = tmp_path
    co = build_company(monkeypatch)
    cycles.new_template_version(co.user("hr"), "t-records", TEMPLATE)
    Position.objects.filter(name="运营专员").update(template_id="t-records")
    open_month(co)
    for day in (3, 10, 17):
        given = IncidentInput("E01", dt.date(2026, 9, day), KIND, "1", f"9月{day}日 周报未交")
        records.record(co.user("m01"), given, home=settings.HOME)
    return co


def _points(review: Review) -> str:
    return next(i for i in review.result["items"] if i["key"] == "work_records")["points"]


def _point(review: Review, incident: Incident, claim: str, decision: str, **ref: str) -> AppealPoint:
    """A point as the appeal files it (the kind checks its ref) and as HR decides it."""
    appeal = Appeal.objects.create(review=review, item_key="work_records", reason="周报已交")
    checked = appeals.INCIDENT.checked_ref(review, {"incident": incident.pk, **ref}, claim)
    return AppealPoint.objects.create(
        appeal=appeal, kind="incident", ref=checked, claim=claim, decision=decision, reason="核实后处理"
    )


def test_the_incident_kind_is_registered() -> None:
    assert appeal_points.kind("incident") is appeals.INCIDENT


def test_hr_changes_the_count_as_claimed_and_the_month_is_scored_again(company: Company) -> None:
    review = advance(company, "E01", S.PUBLISHED)
    # 3 × 1: 10 − 6 = 4;  48 + 4 + 24 = 76
    assert (_points(review), review.score) == ("4", Decimal("76.0"))
    first = Incident.objects.order_by("occurred_on").first()
    assert first is not None
    point = _point(review, first, appeals.AMOUNT, appeals.CHANGE, claimed="0.5")
    assert point.ref == {
        "incident": first.pk,
        "kind": KIND,
        "occurred_on": "2026-09-03",
        "amount": "1",
        "claimed": "0.5",
    }
    appeals.INCIDENT.decided(company.user("hr"), review, [point])
    recompute(review)  # as the appeal's decision does
    # 0.5 + 1 + 1 = 2.5: 10 − 2 × 2.5 = 5;  48 + 5 + 24 = 77
    assert review.values[KIND] == "2.5"
    assert (_points(review), review.score) == ("5", Decimal("77.0"))
    entry = AuditEntry.objects.get(action="incident.change")
    assert (entry.before["amount"], entry.after["amount"]) == ("1", "0.5")
    assert entry.reason == "申诉处理：核实后处理"


def test_hr_removes_the_incident(company: Company) -> None:
    review = advance(company, "E01", S.PUBLISHED)
    last = Incident.objects.order_by("occurred_on").last()
    assert last is not None
    point = _point(review, last, appeals.REMOVE, appeals.REMOVE)
    appeals.INCIDENT.decided(company.user("hr"), review, [point])
    recompute(review)
    # 2 left: 10 − 4 = 6;  48 + 6 + 24 = 78
    assert (review.values[KIND], _points(review), review.score) == ("2", "6", Decimal("78.0"))
    last.refresh_from_db()
    assert last.status == Incident.Status.REMOVED and last.removed_reason == "核实后处理"


def test_a_claim_is_checked_when_filed(company: Company) -> None:
    review = advance(company, "E01", S.PUBLISHED)
    first = Incident.objects.order_by("occurred_on").first()
    assert first is not None
    with pytest.raises(WorkflowError) as refused:
        appeals.INCIDENT.checked_ref(review, {"incident": first.pk, "claimed": "1"}, appeals.AMOUNT)
    assert refused.value.code == "bad_claimed_amount"  # the same as recorded: nothing to claim
    other = records.record(
        company.user("m01"), IncidentInput("E02", "2026-09-04", KIND, "1", "周报未交"), home=settings.HOME
    )
    with pytest.raises(WorkflowError) as refused:  # a colleague's incident is not on this review
        appeals.INCIDENT.checked_ref(review, {"incident": other.pk}, appeals.REMOVE)
    assert refused.value.code == "unknown_incident"


def test_through_the_workflow_the_employee_appeals_one_incident_and_hr_changes_its_count(
    company: Company,
) -> None:
    from shopkpi.appraisal.reviews.workflow import perform

    review = advance(company, "E01", S.PUBLISHED)
    first = Incident.objects.order_by("occurred_on").first()
    assert first is not None
    review = perform(
        company.user("e01"),
        review,
        "appeal",
        items=[
            {
                "item_key": "work_records",
                "reason": "9月3日的周报当天交了半份",
                "points": [
                    {
                        "kind": "incident",
                        "ref": {"incident": first.pk, "claimed": "0.5"},
                        "claim": appeals.AMOUNT,
                        "note": "交了半份",
                    }
                ],
            }
        ],
    )
    assert review.status == S.APPEALED
    point = AppealPoint.objects.get()
    review = perform(
        company.user("hr"),
        review,
        "decide_appeal",
        outcome="amended",
        note="核实：交了半份",
        points=[{"id": point.pk, "decision": appeals.CHANGE, "reason": "按半次计"}],
    )
    # 0.5 + 1 + 1 = 2.5 → 10 − 5 = 5 (was 4);  48 + 5 + 24 = 77 (was 76); to the GM again
    assert review.status == S.PENDING_GM
    assert (review.values[KIND], _points(review), review.score) == ("2.5", "5", Decimal("77.0"))
    step = AuditEntry.objects.filter(action="review.decide_appeal").latest("id")
    difference = step.after["difference"]
    assert [Decimal(score) for score in difference["score"]] == [Decimal(76), Decimal(77)]
    assert difference["values"][KIND] == ["3", "2.5"]
    assert [(i["key"], i["points"]) for i in difference["items"]] == [("work_records", ["4", "5"])]
