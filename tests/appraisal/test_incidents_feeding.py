"""Incidents feed the items that count them: seed 004's "未完成扣2分/次" (扣完为止) through the real engine,
the month close and the workflow, with the arithmetic beside each number."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from pytest_django.fixtures import Settings

from appraisal.workflow_company import Company, advance, build_company, open_month
from shopkpi.appraisal.incidents import records
from shopkpi.appraisal.incidents.records import IncidentInput, IncidentRefused
from shopkpi.appraisal.models import AuditEntry, Cycle, Employee, Incident, Position, Review
from shopkpi.appraisal.periods import cycles, month_values
from shopkpi.appraisal.policy import ActionRefused

pytestmark = pytest.mark.django_db
S = Review.Status

# seed 004 电商运营绩效考核表: "做好日工作记录，周工作总结，月工作报告，未完成扣2分/次" (10 分, 单项扣零分),
# beside the company's 销售完成率 (60) and 工作态度 (30)
TEMPLATE = """\
id: t-records
name: 运营专员（工作记录）
period: month
items:
  - key: attainment
    name: 销售完成率
    weight: 60
    value: gmv / 目标销售额
    bands: {">= 100%": 100, "[80%, 100%)": 80, "< 80%": 0}
  - key: work_records
    name: 工作记录与总结
    weight: 10
    value: 工作记录未完成次数
    deduct: 2
  - key: attitude
    name: 工作态度
    weight: 30
    rated_by: supervisor
    levels: {优: 100, 良: 80, 差: 40}
"""
KIND = "工作记录未完成次数"


@pytest.fixture
def company(monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path) -> Company:
    settings.HOME = tmp_path
    co = build_company(monkeypatch)
    cycles.new_template_version(co.user("hr"), "t-records", TEMPLATE)
    Position.objects.filter(name="运营专员").update(template_id="t-records")
    return co


def _record(co: Company, day: int, *, by: str = "m01", code: str = "E01", amount: str = "1") -> Incident:
    given = IncidentInput(code, dt.date(2026, 9, day), KIND, amount, f"9月{day}日 周报未交")
    return records.record(co.user(by), given, home=settings.HOME)


def _item(review: Review, key: str) -> dict[str, Any]:
    return next(i for i in review.result["items"] if i["key"] == key)


def test_three_incidents_take_6_of_10_points_and_six_take_all_10_not_more(company: Company) -> None:
    for day in (3, 10, 17):  # recorded during the month, before it is opened
        _record(company, day)
    open_month(company)
    review = company.review("E01")
    # 3 incidents × 1 = 3;  10 − 2 × 3 = 4
    assert review.values[KIND] == "3"
    assert _item(review, "work_records")["points"] == "4"
    assert review.provenance[KIND] == "奖惩记录 3 条，合计 3"
    review = advance(company, "E01", S.PENDING_HR)
    # 95000 / 100000 = 95% → 80 → 60 × 80% = 48;  4;  良 80 → 30 × 80% = 24;  48 + 4 + 24 = 76
    assert review.score == Decimal("76.0")

    for day in (20, 24, 28):  # three more, after the month opened: the open month follows
        _record(company, day)
    review = company.review("E01")
    # 6 × 1 = 6;  10 − 2 × 6 = −2 → 0 (扣完为止);  48 + 0 + 24 = 72
    assert review.values[KIND] == "6"
    assert _item(review, "work_records")["points"] == "0"
    assert review.score == Decimal("72.0")

    hr = company.user("hr")
    records.remove(
        hr,
        Incident.objects.filter(occurred_on=dt.date(2026, 9, 28)).get(),
        reason="周报已补交",
        home=settings.HOME,
    )
    review = company.review("E01")
    # 5 left: 10 − 2 × 5 = 0;  the removal is in the audit log with its reason
    assert review.values[KIND] == "5" and _item(review, "work_records")["points"] == "0"
    entry = AuditEntry.objects.filter(action="incident.remove").get()
    assert entry.reason == "周报已补交" and entry.before["occurred_on"] == "2026-09-28"


def test_incidents_win_over_a_typed_number_which_stands_only_where_there_was_never_one(
    company: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = company.shop

    def with_typed(
        home: Any, period: str, codes: Any, names: Any = None, *, connection: Any = None
    ) -> dict[str, dict[str, month_values.Metric]]:
        found = shop(home, period, codes, names)
        if "E01" in found:
            found["E01"][KIND] = month_values.Metric(Decimal(1), "手工录入 inputs 2026-09, 批次 inputs-1")
        return found

    monkeypatch.setattr(month_values, "metric_values", with_typed)
    open_month(company)
    review = company.review("E01")
    # typed 1, no incident: 10 − 2 × 1 = 8
    assert review.values[KIND] == "1" and _item(review, "work_records")["points"] == "8"
    incident = _record(company, 3, amount="2")
    review = company.review("E01")
    # the incident (2) wins over the typed 1: 10 − 2 × 2 = 6; the source names the typed number
    assert review.values[KIND] == "2" and _item(review, "work_records")["points"] == "6"
    assert review.provenance[KIND] == (
        "奖惩记录 1 条，合计 2（不计入已录入的 1：手工录入 inputs 2026-09, 批次 inputs-1）"
    )
    records.remove(company.user("hr"), incident, reason="周报补交了", home=settings.HOME)
    review = company.review("E01")
    # the kind is kept by records now: the deleted one counts 0, the typed 1 still not: 10 − 0 = 10
    assert review.values[KIND] == "0" and _item(review, "work_records")["points"] == "10"
    assert review.provenance[KIND].startswith("奖惩记录 0 条，合计 0（另有 1 条已删除）")
    # E02 has neither: the value is missing, as before (never a silent 0)
    assert KIND in company.review("E02").result["missing_values"]


def test_who_may_record_and_what_is_refused(company: Company) -> None:
    open_month(company)
    with pytest.raises(ActionRefused):  # a peer's colleague in another department
        _record(company, 3, by="p01")
    with pytest.raises(ActionRefused):  # 回避: nobody records their own
        _record(company, 3, by="m01", code="M01")
    with pytest.raises(IncidentRefused) as refused:
        records.record(
            company.user("hr"),
            IncidentInput("E01", "2026-09-31", "迟到次数", "-1", ""),
            home=settings.HOME,
        )
    assert {p.field for p in refused.value.problems} == {"occurred_on", "amount", "note"}
    with pytest.raises(IncidentRefused) as refused:
        records.record(
            company.user("hr"),
            IncidentInput("E01", "2026-09-03", "迟到次数", "1", "迟到"),
            home=settings.HOME,
        )
    assert refused.value.problems[0].field == "kind"
    assert "可选：工作记录未完成次数" in refused.value.problems[0].message
    assert not Incident.objects.exists()


def test_a_month_checked_by_hr_is_read_only(company: Company) -> None:
    open_month(company)
    incident = _record(company, 3)
    advance(company, "E01", S.PENDING_GM)  # HR checked: values frozen
    with pytest.raises(IncidentRefused) as refused:
        _record(company, 4)
    assert refused.value.problems[0].field == "occurred_on"
    with pytest.raises(IncidentRefused):
        records.remove(company.user("hr"), incident, reason="x", home=settings.HOME)
    # E02's month is still open for incidents
    _record(company, 4, code="E02")
    assert Employee.objects.get(code="E02").incidents.count() == 1


def test_an_archived_month_is_read_only(company: Company) -> None:
    open_month(company)
    incident = _record(company, 3)
    Cycle.objects.filter(period="2026-09").update(status=Cycle.Status.ARCHIVED)
    with pytest.raises(IncidentRefused) as refused:
        _record(company, 4, code="E02")
    assert refused.value.problems[0].message == "考核期 2026-09 已归档，奖惩记录只读。"
    with pytest.raises(IncidentRefused):
        records.change(
            company.user("hr"),
            incident,
            IncidentInput("E01", "2026-10-02", KIND, "1", "改到下个月"),  # nor moved out of it
            reason="日期记错",
            home=settings.HOME,
        )
    incident.refresh_from_db()
    assert incident.occurred_on == dt.date(2026, 9, 3)
