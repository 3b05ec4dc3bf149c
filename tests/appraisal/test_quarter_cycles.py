"""A quarter runs like a month: three monthly cycles archived, the quarterly cycle opened over them with
each position's quarterly template, its aggregates read from the published months, then the workflow."""

from __future__ import annotations

from decimal import Decimal

import pytest

from appraisal.workflow_company import Company, advance, build_company, set_target
from shopkpi.appraisal.models import AuditEntry, Employee, Position, Review
from shopkpi.appraisal.organisation.period_templates import bind_period_template
from shopkpi.appraisal.periods import cycles
from shopkpi.appraisal.reviews.deadlines import default_deadlines
from shopkpi.appraisal.reviews.review_steps import WorkflowError
from shopkpi.appraisal.reviews.workflow import archive_cycle, open_cycle

pytestmark = pytest.mark.django_db
S = Review.Status

# the months' average, the last month, the 优秀 months and the months' pay; a quarter rating of its own
QUARTER = """\
id: t-quarter
name: 测试季度
period: quarter
aggregate:
  月均得分: {of: score, how: average}
  末月得分: {of: score, how: last}
  优秀月数: {of: grade, how: count, grades: [优秀]}
  月度绩效合计: {of: pay, how: sum}
grades:
  - {name: 优秀, when: ">= 90"}
  - {name: 合格, when: "[60, 90)"}
  - {name: 差, when: "< 60"}
items:
  - {key: months, name: 季度内月度考核, weight: 80, value: 月均得分, proportional: {target: 100}}
  - {key: attitude, name: 季度综合评价, weight: 20, rated_by: supervisor, levels: {优: 100, 良: 80, 差: 40}}
  - {key: excellent, name: 优秀月份加分, value: 优秀月数, bonus: {over: 1, per: 1, points: 1}}
pay:
  amount: 月度绩效合计 * 10%
"""


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    company = build_company(monkeypatch)
    cycles.new_template_version(company.user("hr"), "t-quarter", QUARTER)
    return company


def _archived_month(co: Company, period: str, gmv: int, rating: str) -> Review:
    co.shop.gmv["E01"] = Decimal(gmv)
    open_cycle(co.user("hr"), period, participants=[co.employees["E01"]])
    set_target(co.review("E01", period))
    review = advance(co, "E01", S.ACKNOWLEDGED, period, rating)
    archive_cycle(co.user("hr"), review.cycle)
    return review


def test_a_quarter_aggregates_its_archived_months(co: Company) -> None:
    # 销售完成率 = gmv / 100000 (60 points by band), 工作态度 (40); pay = 6000 × 10% × score / 100
    july = _archived_month(co, "2026-07", 100000, "良")  # 100% → 60; 良 32 → 92.0 优秀, pay 552.00
    august = _archived_month(co, "2026-08", 85000, "良")  # 85% → 80 → 48; 32 → 80.0 合格, pay 480.00
    september = _archived_month(co, "2026-09", 100000, "优")  # 60 + 40 = 100.0 优秀, pay 600.00
    assert [(r.score, r.grade, r.pay) for r in (july, august, september)] == [
        (Decimal("92.0"), "优秀", Decimal("552.00")),
        (Decimal("80.0"), "合格", Decimal("480.00")),
        (Decimal("100.0"), "优秀", Decimal("600.00")),
    ]
    position = Position.objects.get(name="运营专员")
    bind_period_template(co.user("hr"), position, "quarter", "t-quarter")
    cycle = open_cycle(co.user("hr"), "2026-Q3", participants=[Employee.objects.get(code="E01")])
    # the steps are due in the month after the quarter, as after its last month
    due = default_deadlines("2026-09")
    assert (cycle.self_due, cycle.supervisor_due, cycle.hr_due) == (
        due.self_due,
        due.supervisor_due,
        due.hr_due,
    )
    review = co.review("E01", "2026-Q3")
    assert review.template_version.template_id == "t-quarter"
    # (92 + 80 + 100) / 3 = 272 / 3 = 90.666…; the last month 100; two months 优秀; 552 + 480 + 600 = 1632
    assert Decimal(review.values["月均得分"]).quantize(Decimal("0.0001")) == Decimal("90.6667")
    assert (review.values["末月得分"], review.values["优秀月数"], review.values["月度绩效合计"]) == (
        "100",
        "2",
        "1632",
    )
    assert review.provenance["月均得分"].endswith("：2026-07 92，2026-08 80，2026-09 100")
    done = advance(co, "E01", S.PUBLISHED, "2026-Q3", "良")
    # 80 × 90.666…/100 = 72.5333…; 良 → 20 × 80 / 100 = 16; 2 优秀 months: 1 × floor((2 − 1) / 1) = 1
    # 72.5333… + 16 + 1 = 89.5333… → 89.5 合格; pay 1632 × 10% = 163.20
    assert (done.score, done.grade, done.pay) == (Decimal("89.5"), "合格", Decimal("163.20"))


def test_a_quarter_without_a_quarterly_template_names_everyone_concerned(co: Company) -> None:
    with pytest.raises(WorkflowError) as raised:
        open_cycle(co.user("hr"), "2026-Q3", participants=[co.employees["E01"], co.employees["E02"]])
    assert raised.value.code == "template_missing"
    assert "E01 赵一（岗位 运营专员）：岗位没有指定季度考核表模板" in str(raised.value)
    assert "E02 钱二" in str(raised.value)


def test_a_position_takes_only_a_template_of_the_kind_it_is_bound_for(co: Company) -> None:
    position = Position.objects.get(name="运营专员")
    with pytest.raises(WorkflowError) as raised:
        bind_period_template(co.user("hr"), position, "quarter", "t-sales")  # a monthly template
    assert raised.value.code == "template_period"
    with pytest.raises(WorkflowError) as unknown:
        bind_period_template(co.user("hr"), position, "year", "不存在的模板")
    assert unknown.value.code == "template_unknown"
    bound = bind_period_template(co.user("hr"), position, "year", "year-card")  # a built-in one
    assert (bound.template_id, bound.quarter_template_id, bound.year_template_id) == (
        "t-sales",
        "",
        "year-card",
    )
    entry = AuditEntry.objects.filter(action="org.position.template").latest("id")
    assert entry.after == {"kind": "year", "template": "year-card"}
