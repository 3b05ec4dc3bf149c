"""The department summary of a cycle (汇总表): per department the number of reviews, the average score,
the grade distribution and the pay, computed in the database; and its Excel export.

Pay is added up by the rule of `pay_totals`: 绩效工资 sums performance pay only, a whole wage by a
template's design (整月工资) has a column of its own, HR's adjustments (奖惩) another, and 应发合计 is
the three together. The summary covers every review of the cycle, approved or not, as HR summarises
before approval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import IO, Any

from django.db.models import Count, Max, QuerySet, Sum
from openpyxl import Workbook
from openpyxl.styles import Font

from shopkpi.appraisal import audit, policy
from shopkpi.appraisal.accounts.roles import is_gm, is_hr
from shopkpi.appraisal.exports import export_cells
from shopkpi.appraisal.models import Cycle, Review
from shopkpi.appraisal.pay import pay_totals
from shopkpi.appraisal.pay.pay_totals import PayTotals
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews.review_steps import actor_name

CENT = Decimal("0.01")
NO_GRADE = "未评"  # reviews without a grade yet (the column heading in the sheet)
NO_PAY = "本岗位不计绩效工资"


@dataclass
class Line:
    department: str
    count: int = 0
    scored: int = 0
    score_sum: Decimal = Decimal(0)
    grades: dict[str, int] = field(default_factory=dict)
    pay: PayTotals = field(default_factory=PayTotals)

    @property
    def average(self) -> Decimal | None:
        """Σ score / number scored, half-up to 2 decimals."""
        if not self.scored:
            return None
        return (self.score_sum / self.scored).quantize(CENT, rounding=ROUND_HALF_UP)

    def grade_counts(self, grades: list[str]) -> list[int]:
        return [self.grades.get(g, 0) for g in grades]


@dataclass
class Summary:
    period: str
    grades: list[str]
    lines: list[Line]
    total: Line


def summarise(cycle: Cycle, reviews: QuerySet[Review]) -> Summary:
    """Three aggregate queries, whatever the number of reviews."""
    reviews = reviews.filter(cycle=cycle)
    dept = "employee__department__name"
    lines: dict[str, Line] = {}
    total = Line(department="合计")
    best: dict[str, Decimal] = {}
    for row in reviews.values(dept, "grade").annotate(
        n=Count("id"), scored=Count("score"), score_sum=Sum("score"), top=Max("score")
    ):
        line = lines.setdefault(row[dept], Line(department=row[dept]))
        grade = row["grade"] or NO_GRADE
        for target in (line, total):
            target.count += row["n"]
            target.scored += row["scored"]
            target.score_sum += row["score_sum"] or 0
            target.grades[grade] = target.grades.get(grade, 0) + row["n"]
        if row["top"] is not None and grade != NO_GRADE:
            best[grade] = max(best.get(grade, row["top"]), row["top"])
    pays = pay_totals.by(reviews, dept)
    for name, pay in pays.items():
        lines[name].pay = pay
    total.pay = pay_totals.added(pays.values())
    grades = sorted(best, key=lambda g: (-best[g], g))
    if NO_GRADE in total.grades:
        grades.append(NO_GRADE)
    return Summary(cycle.period, grades, [lines[name] for name in sorted(lines)], total)


HEAD = ("部门", "人数", "已出分", "平均分")
PAY_HEAD = (
    "绩效工资合计",
    "整月工资合计（考核表按整月工资计算，不计入绩效工资）",
    "奖惩合计",
    "应发合计（绩效工资＋整月工资＋奖惩）",
)
DETAIL_HEAD = ("工号", "姓名", "部门", "岗位", "状态", "考核得分", "等级", "绩效工资", "整月工资")


def _cells(line: Line, grades: list[str]) -> list[Any]:
    return [
        line.department,
        line.count,
        line.scored,
        line.average,
        *line.grade_counts(grades),
        line.pay.performance,
        line.pay.wage,
        line.pay.adjustments,
        line.pay.payable,
    ]


def check_export(user: Any) -> None:
    """Only HR and the GM may take the summary out: ActionRefused for anyone else."""
    if not (is_hr(user) or is_gm(user)):
        raise ActionRefused(
            "only HR (人事) or the GM (总经理) may export the department summary", code="wrong_party"
        )


def lines(user: Any, cycle: Cycle) -> int:
    """The export's size: the reviews it sums, each a line of its 明细 sheet."""
    return policy.visible_reviews(user).filter(cycle=cycle).count()


def to_xlsx(user: Any, cycle: Cycle, stream: IO[bytes]) -> Summary:
    """The summary and each review's line as a workbook; HR or GM only, written to the audit log."""
    summary = write(user, cycle, stream)
    record_export(user, cycle, len(summary.lines), summary.total.count)
    return summary


def write(user: Any, cycle: Cycle, stream: IO[bytes] | Path) -> Summary:
    """The workbook of `to_xlsx`, not yet in the audit log (a job's file is logged when downloaded)."""
    check_export(user)
    visible = policy.visible_reviews(user)
    summary = summarise(cycle, visible)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"汇总表 {cycle.period}"
    sheet.append([*HEAD, *summary.grades, *PAY_HEAD])
    for line in [*summary.lines, summary.total]:
        sheet.append(_cells(line, summary.grades))
    for cell in [*sheet[1], *sheet[sheet.max_row]]:
        cell.font = Font(bold=True)
    first_pay = len(HEAD) + len(summary.grades) + 1
    for row in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].number_format = "0.00"
    for row in sheet.iter_rows(min_row=2, min_col=first_pay, max_col=first_pay + len(PAY_HEAD) - 1):
        for cell in row:
            cell.number_format = "#,##0.00"
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 16
    detail = book.create_sheet(f"明细 {cycle.period}")
    detail.append(DETAIL_HEAD)
    for cell in detail[1]:
        cell.font = Font(bold=True)
    rows = (
        visible.filter(cycle=cycle)
        .select_related("employee__department", "employee__position")
        .order_by("employee__department__name", "employee__code")
    )
    for review in rows:
        detail.append(
            [
                review.employee.code,
                review.employee.name,
                review.employee.department.name,
                review.employee.position.name,
                review.get_status_display(),
                review.score,
                review.grade,
                *pay_totals.cells(review.pay_kind, review.pay, NO_PAY),
            ]
        )
    detail.freeze_panes = "A2"
    export_cells.save_workbook(book, stream)
    return summary


def record_export(user: Any, cycle: Cycle, departments: int, reviews: int) -> None:
    audit.record(
        actor_name(user),
        "summary.export",
        object_type="cycle",
        object_id=cycle.period,
        after={"departments": departments, "reviews": reviews, "format": "xlsx"},
    )
