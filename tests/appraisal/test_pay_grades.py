"""What results lead to: the adjustment table (《绩效考评与薪酬调整对照表》) applied to a year of results,
by hand, then HR's and the GM's approvals and the employees' new 薪级.

The pay-grade table (薪等 × 薪级, 元):

    一等   3000  3200  3400  3600  3800
    二等   4000  4300  4600  4900  5200

The adjustment table: 优秀 +2 (晋升资格), 良好 +1, 合格 0, 差 −1 (培训需求).

The year 2026 (a year card with one rated item, 年终述职: 优 95 → 优秀, 良 85 → 良好, 中 70 → 合格, 差 40 → 差):

    E01  一等 4  优秀  4 + 2 = 6, capped at 一等's top 5   3600.00 → 3800.00  (+200.00)
    E02  二等 2  良好  2 + 1 = 3                          4300.00 → 4600.00  (+300.00)
    M01  二等 5  合格  5 + 0 = 5                          5200.00 → 5200.00  (0)
    P01  一等 1  差    1 − 1 = 0, capped at the bottom 1   3000.00 → 3000.00  (0)
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from appraisal.workflow_company import Company, advance, build_company
from shopkpi.appraisal.exports import list_workbook
from shopkpi.appraisal.models import AuditEntry, Employee, EmployeePayGrade, PayProposal, Position, Review
from shopkpi.appraisal.organisation.period_templates import bind_period_template
from shopkpi.appraisal.pay_grades import proposals, tables, workbook
from shopkpi.appraisal.pay_grades.tables import TableProblems
from shopkpi.appraisal.periods import cycles
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews.review_steps import WorkflowError
from shopkpi.appraisal.reviews.workflow import open_cycle

pytestmark = pytest.mark.django_db
S = Review.Status
P = PayProposal.Status

YEAR = """\
id: t-year
name: 测试年度
period: year
grades:
  - {name: 优秀, when: ">= 90"}
  - {name: 良好, when: "[80, 90)"}
  - {name: 合格, when: "[60, 80)"}
  - {name: 差, when: "< 60"}
items:
  - {key: attitude, name: 年终述职, weight: 100, rated_by: supervisor, levels: {优: 95, 良: 85, 中: 70, 差: 40}}
"""
TABLE = "一等 3000 3200 3400 3600 3800\n二等 4000 4300 4600 4900 5200\n"
RULES = "优秀 +2 晋升\n良好 +1\n合格 0\n差 -1 培训\n"
PEOPLE = {"E01": ("一等 4", "优"), "E02": ("二等 2", "良"), "M01": ("二等 5", "中"), "P01": ("一等 1", "差")}


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    company = build_company(monkeypatch)
    hr = company.user("hr")
    cycles.new_template_version(hr, "t-year", YEAR)
    bind_period_template(hr, Position.objects.get(name="运营专员"), "year", "t-year")
    tables.set_bands(hr, TABLE)
    tables.set_rules(hr, RULES)
    tables.set_employee_grades(hr, "\n".join(f"{code} {grade}" for code, (grade, _) in PEOPLE.items()))
    open_cycle(hr, "2026", participants=[Employee.objects.get(code=code) for code in PEOPLE])
    for code, (_grade, rating) in PEOPLE.items():
        advance(company, code, S.PUBLISHED, "2026", rating)
    return company


def test_the_adjustment_table_applied_to_a_year_of_results_by_hand(co: Company) -> None:
    made = proposals.propose(co.user("hr"), "2026")
    assert made.left_out == []
    found = {
        p.employee.code: (
            p.grade,
            p.band,
            p.step_from,
            p.step_to,
            p.amount_from,
            p.amount_to,
            p.capped,
            p.promotion,
            p.training,
        )
        for p in PayProposal.objects.select_related("employee")
    }
    assert found == {
        "E01": ("优秀", "一等", 4, 5, Decimal("3600.00"), Decimal("3800.00"), True, True, False),
        "E02": ("良好", "二等", 2, 3, Decimal("4300.00"), Decimal("4600.00"), False, False, False),
        "M01": ("合格", "二等", 5, 5, Decimal("5200.00"), Decimal("5200.00"), False, False, False),
        "P01": ("差", "一等", 1, 1, Decimal("3000.00"), Decimal("3000.00"), True, False, True),
    }


def test_hr_then_the_gm_approve_and_the_new_steps_take_effect(co: Company) -> None:
    proposals.propose(co.user("hr"), "2026")
    with pytest.raises(WorkflowError):
        proposals.approve(co.user("gm"), "2026")  # nothing waits for the GM before HR
    assert proposals.approve(co.user("hr"), "2026", "按对照表") == 4
    assert set(PayProposal.objects.values_list("status", flat=True)) == {P.HR_APPROVED}
    assert EmployeePayGrade.objects.get(employee__code="E02").step == 2  # not yet in effect
    with pytest.raises(WorkflowError):
        proposals.propose(co.user("hr"), "2026")  # approved by HR: no new proposals
    assert proposals.approve(co.user("gm"), "2026") == 4
    steps = dict(EmployeePayGrade.objects.values_list("employee__code", "step"))
    assert steps == {"E01": 5, "E02": 3, "M01": 5, "P01": 1}
    hr_entry = AuditEntry.objects.get(action="pay_grades.hr_approve")
    gm_entry = AuditEntry.objects.get(action="pay_grades.gm_approve")
    assert (hr_entry.actor, hr_entry.reason, gm_entry.actor) == ("hr", "按对照表", "gm")
    assert "E01 一等 4→5" in gm_entry.after["approved"]
    mine = proposals.of_employee(Employee.objects.get(code="E02"))
    assert [(p.period, p.step_from, p.step_to, p.status) for p in mine] == [("2026", 2, 3, P.APPROVED)]


def test_nobody_approves_their_own_proposal_and_the_two_steps_take_two_people(co: Company) -> None:
    proposals.propose(co.user("hr"), "2026")
    PayProposal.objects.filter(employee__code="E02").update(employee=Employee.objects.get(code="H01"))
    assert proposals.approve(co.user("hr"), "2026") == 3  # 回避: 何人事's own waits for another
    # the GM: the GM's step of the three, and HR's step of the HR officer's own
    assert proposals.approve(co.user("gm"), "2026") == 4
    assert PayProposal.objects.get(employee__code="H01").status == P.HR_APPROVED
    with pytest.raises(WorkflowError):
        proposals.approve(co.user("gm"), "2026")  # took HR's step of it: another GM takes the GM's
    assert proposals.approve(co.user("vgm"), "2026") == 1
    assert set(PayProposal.objects.values_list("status", flat=True)) == {P.APPROVED}


def test_the_payroll_workbook_lists_the_changes_with_totals(co: Company) -> None:
    proposals.propose(co.user("hr"), "2026")
    stream = io.BytesIO()
    list_workbook.write(workbook.listed("2026"), stream, exported_by="hr", exported_at="2027-01-05 09:00")
    sheet = load_workbook(io.BytesIO(stream.getvalue())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert rows[0][:11] == ("E01", "赵一", "运营部", "运营专员", "优秀", "一等", 4, 5, 3600, 3800, 200)
    # totals: 3600 + 4300 + 5200 + 3000 = 16100 before; 3800 + 4600 + 5200 + 3000 = 16600 after; +500
    assert rows[4][8:11] == (16100, 16600, 500)


def test_employees_without_a_grade_or_a_rule_are_left_out_with_why(co: Company) -> None:
    EmployeePayGrade.objects.filter(employee__code="M01").delete()
    tables.set_rules(co.user("hr"), "优秀 +2\n良好 +1\n合格 0\n")
    made = proposals.propose(co.user("hr"), "2026")
    assert sorted(p.employee.code for p in made.made) == ["E01", "E02"]
    assert [(x.employee, x.why) for x in made.left_out] == [
        ("M01 马经理", "没有登记当前薪等薪级"),
        ("P01 孙客服", "调薪对照表中没有等级“差”"),
    ]


def test_tables_report_every_problem_by_line_and_change_nothing(co: Company) -> None:
    with pytest.raises(TableProblems) as raised:
        tables.set_bands(co.user("hr"), "一等 3000 abc\n一等 4000\n三等\n")
    assert raised.value.problems == [
        "第 1 行：薪等“一等”第 2 级的金额“abc”不是金额（如 4200 或 4200.50）。",
        "第 2 行：薪等“一等”写了两次。",
        "第 3 行：薪等“三等”没有金额；请在名称后写出各薪级的金额。",
    ]
    with pytest.raises(TableProblems) as held:
        tables.set_bands(co.user("hr"), "二等 4000 4300\n")  # 一等 1 and 4, 二等 5 are still held
    assert held.value.problems[-1] == "薪等“二等”第 5 级仍有员工，不能从表中去掉。"
    with pytest.raises(TableProblems) as bad:
        tables.set_employee_grades(co.user("hr"), "X99 一等 1\nE01 三等 1\nE02 一等\n")
    assert len(bad.value.problems) == 3
    with pytest.raises(TableProblems, match="薪级调整应为整数"):
        tables.set_rules(co.user("hr"), "优秀 两级\n")
    assert [b.name for b in tables.bands()] == ["一等", "二等"]
    assert EmployeePayGrade.objects.get(employee__code="E01").band == "一等"
    with pytest.raises(ActionRefused):
        tables.set_rules(co.user("gm"), RULES)


def test_proposals_need_a_year_cycle(co: Company) -> None:
    with pytest.raises(WorkflowError) as raised:
        proposals.propose(co.user("hr"), "2026-09")
    assert raised.value.code == "no_year_cycle"
    with pytest.raises(ActionRefused):
        proposals.propose(co.user("e01"), "2026")
